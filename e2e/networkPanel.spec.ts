import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { connectApi } from './api.js';
import { expect, openUi, test } from './fixtures.js';
import { arrowTo, expectKeyboardReachesEverything, expectLargeTargets, focusWithArrows } from './keyboardNavigation.js';
import { PANEL_MAIN, screenshotsAtPanelSizes } from './layoutCheck.js';

/**
 * Settings, Network, against headsetd on the simulated headset (its NetworkManager reads the air
 * from network/air.json and the hotspot latch from gpio/network-latch/value), with the keys only.
 */

const HOME_PASSWORD = 'harbour-e2e-Secret-7781';
const WRONG_PASSWORD = 'harbour-e2e-Wrong-3312';
const HIDDEN_PASSWORD = 'backroom-e2e-Secret-4410';
const PIN = '2468';

const AIR = [
  { ssid: 'Harbour Home', signal: 82, security: 'wpa2-personal', password: HOME_PASSWORD },
  { ssid: 'Corner Café', signal: 56, security: 'open' },
  { ssid: 'Pocket hotspot', signal: 64, security: 'wpa3-personal', password: 'pocket-e2e-pass-55', metered: true },
  { ssid: 'Office', signal: 30, security: 'enterprise' },
  { ssid: 'Back room', signal: 70, security: 'wpa2-personal', password: HIDDEN_PASSWORD, hidden: true },
];

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });
const wifiRow = (page: Page, ssid: string) => page.locator(`[data-testid="wifi-network"][data-ssid="${ssid}"]`);
const savedRow = (page: Page, ssid: string) => page.locator(`[data-testid="saved-network"][data-ssid="${ssid}"]`);
const savedOrder = (page: Page) => page.getByTestId('saved-network').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ssid')));

/** At each panel size, with the layout check; `subject` is brought to the top first (a resize moves the scroll). */
const screenshots = (page: Page, name: string, subject?: Locator) => screenshotsAtPanelSizes(page, name, { atTop: subject });

async function writeInput(root: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

/** Arrows to a control, then Enter: the way a wearer with a controller presses it. */
async function press(page: Page, control: Locator): Promise<void> {
  await arrowTo(page, control);
  await page.keyboard.press('Enter');
}

async function openNetwork(page: Page): Promise<void> {
  const entry = nav(page).getByRole('button', { name: 'Network' });
  await focusWithArrows(page, entry);
  await page.keyboard.press('Enter');
  await expect(entry).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('heading', { name: 'Network', level: 1 })).toBeVisible();
}

/** Every text headsetd wrote to its logs (stdout and the log files). */
async function deviceLogs(root: string, stdout: string): Promise<string> {
  const dir = join(root, 'data', 'logs');
  const files = await readdir(dir).catch(() => [] as string[]);
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8').catch(() => '')));
  return [stdout, ...texts].join('\n');
}

test.describe('Settings, Network, keyboard only', () => {
  test.use({ viewport: PANEL_MAIN });

  test('scan, a wrong then the right password, reorder, support, forget, a hidden network; the PIN first; the password reaches no DOM, log or answer', async ({
    page,
    headsetRoot,
    launchHeadsetd,
  }) => {
    test.setTimeout(240_000);
    await writeInput(headsetRoot, 'network/air.json', JSON.stringify(AIR, null, 2));
    const headsetd = await launchHeadsetd({ mode: 'settings' });

    // Two saved networks already (an operator's tool), and a PIN: this page's connection is locked.
    const api = await connectApi(headsetd);
    await api.call('lock.set', { pin: PIN });
    await api.call('network.connect', { ssid: 'Corner Café', via: 'cli' });
    await api.call('network.connect', { ssid: 'Pocket hotspot', password: 'pocket-e2e-pass-55', via: 'cli' });
    api.close();

    // What the page receives from the API, to look for the passwords afterwards.
    const received: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (frame) => received.push(String(frame.payload))));
    await openUi(page, headsetd);
    await openNetwork(page);

    // The scan: signal as bars (words for a screen reader), security, saved, connected; no hidden network.
    const home = wifiRow(page, 'Harbour Home');
    await expect(home).toContainText('WPA2 password');
    await expect(home.locator('.sr-only')).toHaveText('Excellent signal, 4 of 4 bars');
    await expect(wifiRow(page, 'Pocket hotspot')).toContainText('Connected');
    await expect(wifiRow(page, 'Corner Café')).toContainText('Saved');
    await expect(wifiRow(page, 'Office')).toContainText('Enterprise (cannot join here)');
    await expect(wifiRow(page, 'Back room')).toHaveCount(0);
    await expect(page.getByTestId('now-ethernet')).toHaveText('Connected (192.168.7.2/24)');
    await expect(page.getByTestId('now-wifi')).toContainText('Pocket hotspot');
    await expect(page.getByRole('main')).toContainText('The headset is locked: changes here ask for the PIN.');
    await expectLargeTargets(page);
    await expectKeyboardReachesEverything(page);
    await screenshots(page, 'network-panel-scan', page.getByRole('heading', { name: 'Network', level: 1 }));

    // Scan again with the keys.
    await press(page, page.getByRole('button', { name: 'Scan again' }));
    await expect(page.getByTestId('scan-state')).toHaveText(/^Found 4 at /);

    // Harbour Home: the form opens under its row with the password field focused, masked, empty.
    await press(page, home);
    const form = page.getByTestId('connect-form');
    const password = form.getByLabel('Password', { exact: true });
    await expect(password).toBeFocused();
    await expect(password).toHaveAttribute('type', 'password');
    await expect(password).toHaveValue('');
    await page.keyboard.type(WRONG_PASSWORD);
    // Show, to check what was typed: Tab to the toggle, Enter; then back with Shift+Tab.
    await page.keyboard.press('Tab');
    await expect(form.getByRole('button', { name: 'Show' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(password).toHaveAttribute('type', 'text');
    await page.keyboard.press('Enter');
    await expect(password).toHaveAttribute('type', 'password');
    await page.keyboard.press('Shift+Tab');
    await expect(password).toBeFocused();
    await page.keyboard.press('Enter');

    // Locked: the PIN pad first, then the join goes on by itself.
    await expect(page.getByRole('heading', { name: 'Enter your PIN' })).toBeVisible();
    await expect(page.getByText('Changing networks needs the PIN.')).toBeVisible();
    await screenshots(page, 'network-panel-pin');
    await page.keyboard.type(PIN);
    await page.keyboard.press('Enter');

    // Wrong password: plain words; the code only under the details.
    const problem = page.getByTestId('join-problem');
    await expect(problem).toContainText('Wrong password: the network did not accept it.', { timeout: 20_000 });
    await expect(problem.locator('details')).not.toHaveAttribute('open', '');
    await expect(problem.getByText('NETWORK_WRONG_PASSWORD')).toBeHidden();
    await expect(password).toHaveValue('');
    await screenshots(page, 'network-panel-wrong-password', form);

    await arrowTo(page, password);
    await page.keyboard.type(HOME_PASSWORD);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('join-result')).toHaveText('Connected to “Harbour Home”.', { timeout: 20_000 });
    await expect(home).toContainText('Connected');
    await expect(home).toBeFocused();
    await expect(page.getByTestId('now-wifi')).toContainText('Harbour Home');

    // The password is nowhere on the page any more, not even in a field.
    for (const secret of [HOME_PASSWORD, WRONG_PASSWORD]) expect(await page.content()).not.toContain(secret);
    expect(await page.locator('input').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value))).not.toContain(
      HOME_PASSWORD,
    );

    // Saved, in the order the headset tries them: the network just joined on top.
    await expect.poll(() => savedOrder(page)).toEqual(['Harbour Home', 'Pocket hotspot', 'Corner Café']);
    await press(page, page.getByRole('button', { name: 'Move “Corner Café” up' }));
    await expect.poll(() => savedOrder(page)).toEqual(['Harbour Home', 'Corner Café', 'Pocket hotspot']);
    await expect(page.getByRole('button', { name: 'Move “Corner Café” up' })).toBeFocused();
    await press(page, page.getByRole('button', { name: 'Move “Harbour Home” down' }));
    await expect.poll(() => savedOrder(page)).toEqual(['Corner Café', 'Harbour Home', 'Pocket hotspot']);

    // Pocket hotspot as a support network: on top, marked.
    await press(page, page.getByRole('button', { name: 'Mark “Pocket hotspot” as support network' }));
    await expect.poll(() => savedOrder(page)).toEqual(['Pocket hotspot', 'Corner Café', 'Harbour Home']);
    await expect(savedRow(page, 'Pocket hotspot')).toContainText('Support network');
    await expect(savedRow(page, 'Pocket hotspot').getByRole('button', { name: /Move/ })).toHaveCount(0);
    await screenshots(page, 'network-panel-saved', page.getByRole('region', { name: 'Saved networks' }));

    // Forget Corner Café: a question first; Escape keeps it, then Forget it.
    await press(page, page.getByRole('button', { name: 'Forget “Corner Café”' }));
    await expect(savedRow(page, 'Corner Café')).toContainText('Forget “Corner Café”?');
    await expect(page.getByRole('button', { name: 'Forget it' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('button', { name: 'Forget “Corner Café”' })).toBeFocused();
    await page.keyboard.press('Enter');
    await screenshots(page, 'network-panel-forget', savedRow(page, 'Corner Café'));
    await press(page, page.getByRole('button', { name: 'Forget it' }));
    await expect.poll(() => savedOrder(page)).toEqual(['Pocket hotspot', 'Harbour Home']);
    await expect(wifiRow(page, 'Corner Café')).not.toContainText('Saved');

    // A hidden network: name, security, password.
    const joinHidden = page.getByRole('button', { name: 'Join a hidden network' });
    await press(page, joinHidden);
    const hidden = page.getByRole('form', { name: 'Join a hidden network' });
    await expect(hidden.getByLabel('Network name')).toBeFocused();
    // Escape closes the form (not the screen), the focus back where it opened; Enter opens it again.
    await page.keyboard.press('Escape');
    await expect(hidden).toHaveCount(0);
    await expect(joinHidden).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(hidden.getByLabel('Network name')).toBeFocused();
    await page.keyboard.type('Back room');
    await expect(hidden.getByRole('button', { name: 'WPA2 password' })).toHaveAttribute('aria-pressed', 'true');
    await arrowTo(page, hidden.getByLabel('Password', { exact: true }));
    await page.keyboard.type(HIDDEN_PASSWORD);
    await screenshots(page, 'network-panel-hidden', hidden);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('join-result')).toHaveText('Connected to “Back room”.', { timeout: 20_000 });
    await expect(savedRow(page, 'Back room')).toContainText('Hidden');
    await expect(savedRow(page, 'Back room')).toContainText('Connected');
    await expect(page.getByTestId('now-wifi')).toContainText('Back room');
    await expectLargeTargets(page);

    // The audit on Logs & Diagnostics: who, what, result.
    await page.keyboard.press('Escape');
    const logs = nav(page).getByRole('button', { name: 'Logs & Diagnostics' });
    await focusWithArrows(page, logs);
    await page.keyboard.press('Enter');
    const audit = page.getByTestId('network-audit');
    await expect(audit).toBeVisible({ timeout: 20_000 });
    const rows = audit.getByTestId('network-audit-entry');
    await expect(rows.filter({ hasText: 'Join “Harbour Home”' }).filter({ hasText: 'Failed: wrong password' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'Join “Harbour Home”' }).filter({ hasText: 'Done' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'Join “Back room” (hidden)' })).toContainText('You');
    await expect(rows.filter({ hasText: 'Mark “Pocket hotspot” as support network' })).toContainText('Done');
    await expect(rows.filter({ hasText: 'Forget “Corner Café”' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'Join “Corner Café”' })).toContainText('Operator tool');
    await screenshots(page, 'network-panel-audit', page.getByRole('region', { name: 'Network changes' }));

    // The passwords typed: in no log of headsetd's and in no answer or event the page received.
    const logText = await deviceLogs(headsetd.root, headsetd.log());
    const answers = received.join('\n');
    for (const secret of [HOME_PASSWORD, WRONG_PASSWORD, HIDDEN_PASSWORD]) {
      expect(logText, 'headsetd log').not.toContain(secret);
      expect(answers, 'API answers and events').not.toContain(secret);
      expect(await page.content(), 'the page').not.toContain(secret);
    }
    expect(received.length).toBeGreaterThan(10);
  });

  test('hotspot mode from the latch: the name and the generated password large on request, hidden again, the latch explained', async ({
    page,
    headsetRoot,
    launchHeadsetd,
  }) => {
    test.setTimeout(120_000);
    await writeInput(headsetRoot, 'network/air.json', JSON.stringify(AIR, null, 2));
    await writeInput(headsetRoot, 'gpio/network-latch/value', '1\n');
    const headsetd = await launchHeadsetd({ mode: 'settings' });
    const received: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (frame) => received.push(String(frame.payload))));
    await openUi(page, headsetd);
    await openNetwork(page);

    const panel = page.getByRole('region', { name: 'Hotspot' });
    await expect(panel).toContainText('This headset is a Wi-Fi hotspot');
    await expect(panel).toContainText('move the switch back, then restart the headset');
    await expect(page.getByTestId('hotspot-ssid')).not.toBeEmpty();
    await expect(page.getByTestId('hotspot-password')).toHaveCount(0);
    await expect(page.getByTestId('now-wifi')).toHaveText('Used by the hotspot');
    await expect(page.getByRole('button', { name: 'Join a hidden network' })).toHaveCount(0);
    const before = received.length;

    await press(page, page.getByRole('button', { name: 'Show the password' }));
    const shown = page.getByTestId('hotspot-password');
    await expect(shown).toHaveText(/^\S{12,}$/);
    const secret = (await shown.textContent())!;
    const size = await shown.evaluate((el) =>
      Number.parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize),
    );
    expect(size).toBeGreaterThanOrEqual(36);
    await expect(page.getByRole('button', { name: 'Hide the password' })).toBeFocused();
    await expectLargeTargets(page);
    await screenshots(page, 'network-panel-hotspot');

    // Only the answer to the request carried it: no event, nothing before it.
    const carrying = received.filter((frame) => frame.includes(secret));
    expect(carrying).toHaveLength(1);
    expect(received.slice(0, before).join('\n')).not.toContain(secret);

    await page.keyboard.press('Enter');
    await expect(shown).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Show the password' })).toBeFocused();
    expect(await page.content()).not.toContain(secret);
    expect(await deviceLogs(headsetd.root, headsetd.log())).not.toContain(secret);
  });
});
