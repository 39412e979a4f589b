import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Page } from '@playwright/test';
import { indexOf, shortestTurn, wheelEntries, type WheelAlphabet, type WheelCommand } from '../renderer/src/design/threeKeyWheel.js';
import { connectApi } from './api.js';
import { SCREENSHOTS, expect, openUi, test } from './fixtures.js';
import { expectLayoutHolds, screenshotsAtPanelSizes } from './layoutCheck.js';

/**
 * The recovery kiosk repairs with three keys only (Up, Down, Enter): it joins a Wi-Fi network (the
 * PIN first, as one is set, then the password, both on the three-key wheel) and restores the
 * wearer's data from a USB backup (the passphrase on the wheel, the backup, what to put back, a
 * question). No secret reaches the page's text, its storage, headsetd's output or the device log;
 * what was done is in the device log under `recovery`.
 */

const SMALL = { width: 800, height: 480 };
const WIFI_PASSWORD = 'Harbour-42x';
const PIN = '2580';
const PASSPHRASE = 'kiosk 7 pass';
const SAVE = 'level 12, the blue door';
const AIR = [
  { ssid: 'Harbour Home', signal: 82, security: 'wpa2-personal', password: WIFI_PASSWORD },
  { ssid: 'Corner Café', signal: 56, security: 'open' },
];

async function writeInput(root: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

/** Moves the focus with Down until `name`'s action has it. */
async function focusAction(page: Page, name: RegExp): Promise<void> {
  const target = page.getByRole('menuitem', { name });
  for (let i = 0; i < 12 && !(await target.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('ArrowDown');
  await expect(target).toBeFocused();
}

/** Presses Down (only) until `target` has the focus: the kiosk's keys. */
async function downTo(page: Page, target: ReturnType<Page['getByTestId']>): Promise<void> {
  for (let i = 0; i < 20 && !(await target.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('ArrowDown');
  await expect(target).toBeFocused();
}

/** Turns the wheel the short way to each character of `text` and takes it with Enter: Up, Down and Enter only. */
async function wheelType(page: Page, testId: string, alphabet: WheelAlphabet, text: string): Promise<void> {
  const wheel = page.getByTestId(`${testId}-wheel`);
  await expect(wheel).toBeFocused();
  const entries = wheelEntries(alphabet, true);
  expect(Number(await wheel.getAttribute('aria-valuemax'))).toBe(entries.length - 1);
  for (const char of text) await turnTo(page, testId, entries.length, indexOf(entries, { char }));
  await expect(page.getByTestId(`${testId}-value`)).toHaveAttribute('aria-label', `${text.length} characters entered`);
}

/** Turns to entry `at` and presses Enter. */
async function turnTo(page: Page, testId: string, length: number, at: number): Promise<void> {
  const wheel = page.getByTestId(`${testId}-wheel`);
  const now = Number(await wheel.getAttribute('aria-valuenow'));
  const turns = shortestTurn(now, at, length);
  for (let i = 0; i < Math.abs(turns); i++) await page.keyboard.press(turns > 0 ? 'ArrowDown' : 'ArrowUp');
  await expect(wheel).toHaveAttribute('aria-valuenow', String(at));
  await page.keyboard.press('Enter');
}

/** Turns to a command (Join, Unlock, Open the backups) and takes it. */
async function wheelCommand(page: Page, testId: string, alphabet: WheelAlphabet, command: WheelCommand): Promise<void> {
  const entries = wheelEntries(alphabet, true);
  await turnTo(page, testId, entries.length, indexOf(entries, { command }));
}

async function smallScreenshot(page: Page, name: string): Promise<void> {
  await page.setViewportSize(SMALL);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-800x480.png`), animations: 'disabled', caret: 'hide' });
  await expectLayoutHolds(page, [SMALL]);
}

/** Every file of the device log, read whole. */
async function deviceLog(root: string): Promise<string> {
  const dir = join(root, 'data', 'logs');
  const names = (await readdir(dir)).filter((n) => n.endsWith('.log'));
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).join('\n');
}

/** What the page holds that a secret must not be in: its text and markup, and its storage. */
async function pageHolds(page: Page): Promise<string> {
  const storage = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }]));
  return `${await page.content()}\n${storage}`;
}

test.describe('the recovery kiosk repairs, three keys only', () => {
  test('joins a Wi-Fi network: the PIN, then the password, on the three-key wheel', async ({ page, headsetRoot, launchHeadsetd }) => {
    test.setTimeout(180_000);
    await writeInput(headsetRoot, 'network/air.json', JSON.stringify(AIR));
    // The simulated cable pulled: Wi-Fi is the way out.
    await writeInput(headsetRoot, 'network/state', 'offline\n');
    const headsetd = await launchHeadsetd({ mode: 'recovery' });
    const api = await connectApi(headsetd);
    await api.call('lock.set', { pin: PIN });
    api.close();

    await page.setViewportSize(SMALL);
    await openUi(page, headsetd);
    await focusAction(page, /Connect to a network/);
    await page.keyboard.press('Enter');
    // Strongest first, the first one focused.
    const harbour = page.getByTestId('recovery-wifi-Harbour Home');
    await expect(harbour).toBeFocused();
    await expect(harbour).toContainText('WPA2 password');
    await expect(page.getByTestId('recovery-network-now')).toHaveText('Not connected. Choose a Wi-Fi network.');
    await smallScreenshot(page, 'recovery-network');
    await screenshotsAtPanelSizes(page, 'recovery-network');
    await page.setViewportSize(SMALL);

    // The password on the wheel: dots only.
    await page.keyboard.press('Enter');
    await wheelType(page, 'recovery-wifi-password', 'text', WIFI_PASSWORD);
    await expect(page.getByTestId('recovery-wifi-password-value')).toContainText('•'.repeat(WIFI_PASSWORD.length));
    await smallScreenshot(page, 'recovery-wifi-password');
    await screenshotsAtPanelSizes(page, 'recovery-wifi-password');
    await page.setViewportSize(SMALL);
    await wheelCommand(page, 'recovery-wifi-password', 'text', 'done');

    // Locked: the PIN comes first, on the digits' wheel; a wrong one is said, the right one joins.
    await wheelType(page, 'unlock-pin', 'digits', '0000');
    await wheelCommand(page, 'unlock-pin', 'digits', 'done');
    await expect(page.getByRole('alert')).toHaveText('The PIN is not right. Try again.');
    await smallScreenshot(page, 'recovery-unlock-pin');
    await wheelType(page, 'unlock-pin', 'digits', PIN);
    await wheelCommand(page, 'unlock-pin', 'digits', 'done');

    await expect(page.getByTestId('recovery-network-now')).toHaveText('Connected to the Wi-Fi network “Harbour Home”.', { timeout: 30_000 });
    await expect(page.getByTestId('recovery-wifi-Harbour Home')).toBeFocused();
    await expect(page.getByTestId('recovery-wifi-Harbour Home')).toContainText('Connected to “Harbour Home”.');
    await smallScreenshot(page, 'recovery-network-joined');
    await screenshotsAtPanelSizes(page, 'recovery-network-joined');

    // Back to the actions with Down and Enter.
    await page.setViewportSize(SMALL);
    await focusAction(page, /^Back/);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('menuitem', { name: /Restart the headset/ })).toBeFocused();

    const log = await deviceLog(headsetRoot);
    expect(log).toContain('"subsystem":"recovery","msg":"in recovery: network.connect done"');
    expect(log).toContain('"subsystem":"recovery","msg":"in recovery: lock.unlock failed"');
    for (const text of [log, headsetd.log(), await pageHolds(page)]) {
      expect(text).not.toContain(WIFI_PASSWORD);
      expect(text).not.toContain(PIN);
    }
  });

  test('restores the wearer’s data from a USB backup: the passphrase on the wheel, the backup, what to put back, a question', async ({
    page,
    headsetRoot,
    launchHeadsetd,
  }) => {
    test.setTimeout(240_000);
    await writeInput(headsetRoot, 'data/apps/game/save.bin', SAVE);
    await mkdir(join(headsetRoot, 'usb'), { recursive: true });
    const headsetd = await launchHeadsetd({ mode: 'recovery' });
    const api = await connectApi(headsetd);
    const made = await api.call('backup.run', { destination: 'usb', passphrase: PASSPHRASE });
    api.close();
    expect(made.classes).toContain('apps');
    await writeFile(join(headsetRoot, 'data/apps/game/save.bin'), 'lost');

    await page.setViewportSize(SMALL);
    await openUi(page, headsetd);
    await focusAction(page, /Restore from a backup/);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('recovery-restore-usb')).toBeFocused();
    await expect(page.getByTestId('recovery-restore-cloud')).toHaveAttribute('aria-disabled', 'true');
    await smallScreenshot(page, 'recovery-restore-place');
    await page.keyboard.press('Enter');

    await wheelType(page, 'recovery-passphrase', 'text', PASSPHRASE);
    await smallScreenshot(page, 'recovery-restore-passphrase');
    await screenshotsAtPanelSizes(page, 'recovery-restore-passphrase');
    await page.setViewportSize(SMALL);
    await wheelCommand(page, 'recovery-passphrase', 'text', 'done');

    // The backup on the stick, then what to put back: its classes, all chosen.
    const backup = page.getByTestId(`recovery-backup-${made.id}`);
    await expect(backup).toBeFocused({ timeout: 60_000 });
    await smallScreenshot(page, 'recovery-restore-backups');
    await page.keyboard.press('Enter');
    const apps = page.getByTestId('recovery-restore-class-apps');
    await expect(apps).toHaveAttribute('aria-checked', 'true');
    await smallScreenshot(page, 'recovery-restore-classes');
    await screenshotsAtPanelSizes(page, 'recovery-restore-classes');
    await page.setViewportSize(SMALL);
    await focusAction(page, /Restore these/);
    await page.keyboard.press('Enter');

    // Asked first, Cancel focused: Up to Yes.
    await expect(page.getByTestId('recovery-restore-question')).toContainText('App data');
    await expect(page.getByTestId('recovery-restore-cancel')).toBeFocused();
    await smallScreenshot(page, 'recovery-restore-question');
    await page.keyboard.press('ArrowUp');
    await expect(page.getByTestId('recovery-restore-yes')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('recovery-restore-state')).toContainText('Restored', { timeout: 120_000 });
    expect(await readFile(join(headsetRoot, 'data/apps/game/save.bin'), 'utf8')).toBe(SAVE);
    await expect(page.getByTestId('recovery-restore-back')).toBeFocused();
    await smallScreenshot(page, 'recovery-restore-done');
    await screenshotsAtPanelSizes(page, 'recovery-restore-done');
    await page.setViewportSize(SMALL);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('menuitem', { name: /Restart the headset/ })).toBeFocused();

    const log = await deviceLog(headsetRoot);
    expect(log).toContain('"subsystem":"recovery","msg":"in recovery: backup.browse done"');
    expect(log).toContain('"subsystem":"recovery","msg":"in recovery: backup.restore done"');
    for (const text of [log, headsetd.log(), await pageHolds(page)]) expect(text).not.toContain(PASSPHRASE);
  });

  test('erase and reset asks for the PIN on the three-key wheel, reached with Down and Enter only', async ({ page, headsetRoot, launchHeadsetd }) => {
    test.setTimeout(120_000);
    const headsetd = await launchHeadsetd({ mode: 'recovery' });
    const api = await connectApi(headsetd);
    await api.call('lock.set', { pin: PIN });
    api.close();
    await page.setViewportSize(SMALL);
    await openUi(page, headsetd);
    await focusAction(page, /Erase and reset/);
    await page.keyboard.press('Enter');
    await downTo(page, page.getByTestId('reset-scope-everything'));
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('reset-scope-everything')).toHaveAttribute('aria-pressed', 'true');
    await downTo(page, page.getByTestId('reset-start'));
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('reset-confirm-yes')).toBeFocused();
    await page.keyboard.press('Enter');

    // A wrong PIN on the wheel is refused and nothing is erased; Cancel keeps the data.
    await wheelType(page, 'reset-pin', 'digits', '0000');
    await wheelCommand(page, 'reset-pin', 'digits', 'done');
    await expect(page.getByRole('alert')).toHaveText('The PIN is not right. Try again.');
    await smallScreenshot(page, 'recovery-reset-pin');
    await screenshotsAtPanelSizes(page, 'recovery-reset-pin');
    await page.setViewportSize(SMALL);
    await wheelCommand(page, 'reset-pin', 'digits', 'cancel');
    await expect(page.getByTestId('reset-chooser')).toBeVisible();
    expect(await readFile(join(headsetRoot, 'data', 'headsetd', 'lock.json'), 'utf8')).toContain('"failures":1');
    expect(await deviceLog(headsetRoot)).not.toContain('"msg":"reset');
  });
});
