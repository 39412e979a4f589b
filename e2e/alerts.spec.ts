import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { connectApi } from './api.js';
import { expect, openUi, test, waitForLiveHome } from './fixtures.js';
import { focusWithArrows } from './keyboardNavigation.js';
import { updateTest } from './updateRepository.js';
import { PANEL_MAIN, PANEL_SIZES, screenshotsAtPanelSizes } from './layoutCheck.js';

/**
 * Alerts as the wearer meets them: headsetd decides (a hot headset, an almost empty battery, update
 * news), the UI shows a banner on every screen and a labelled badge in the side menu, and a critical
 * alert takes the focus once.
 */

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

/**
 * Keeps the simulated thermal zone hot: its file is written faster than headsetd samples it (every
 * 3 s), alternating so each reading differs (about 110 °C and 114 °C) and every sample pushes new words.
 */
function keepHot(root: string): { stop(): Promise<void> } {
  const path = join(root, 'sensors', 'thermal_zone0', 'temp');
  let n = 0;
  let writing = Promise.resolve();
  const timer = setInterval(() => {
    writing = writing.then(() => writeFile(path, `${n++ % 2 === 0 ? 140_000 : 146_000}\n`)).catch(() => undefined);
  }, 200);
  return {
    async stop() {
      clearInterval(timer);
      await writing;
      await writeFile(path, '30000\n');
    },
  };
}

async function setBattery(root: string, percent: number): Promise<void> {
  const path = join(root, 'power_supply', 'BAT0', 'capacity');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${percent}\n`);
}

/** Nothing in `scope` is wider than its box or outside the window sideways. */
async function expectFits(page: Page, scope: Locator): Promise<void> {
  const problems = await scope.evaluate((root) => {
    const g = globalThis as unknown as { innerWidth: number };
    const found: string[] = [];
    for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || el.closest('.sr-only')) continue;
      const name = `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''} "${(el.textContent ?? '').slice(0, 30)}"`;
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) found.push(`${name} overflows (${el.scrollWidth} > ${el.clientWidth})`);
      if (box.left < -1 || box.right > g.innerWidth + 1) found.push(`${name} outside the window (${box.left}–${box.right})`);
    }
    return found;
  });
  expect(problems).toEqual([]);
}

/**
 * No side-menu entry is lost under the alert's badge: each is in full view or, when the entries are
 * more than the panel has room for (ten, a badge on Updates and the alert's at 1280 × 720 or 1024 ×
 * 600), the list scrolls, shows a shade at the edge that has more, and an entry the focus reaches
 * comes wholly into view.
 */
async function expectRailEntriesInView(page: Page): Promise<void> {
  const result = await nav(page)
    .locator('.rail-items')
    .evaluate((list) => {
      interface Entry {
        textContent: string | null;
        focus(): void;
        getBoundingClientRect(): { top: number; bottom: number };
      }
      const g = globalThis as unknown as {
        getComputedStyle(el: unknown): { backgroundImage: string };
        document: { activeElement: { focus(): void } | null };
      };
      const inView = (entry: Entry) => {
        const box = list.getBoundingClientRect();
        const r = entry.getBoundingClientRect();
        return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
      };
      const entries = Array.from(list.querySelectorAll('.rail-item')) as unknown as Entry[];
      const hidden = entries.filter((entry) => !inView(entry));
      const scrolls = list.scrollHeight > list.clientHeight + 1;
      const shaded = g.getComputedStyle(list).backgroundImage.includes('gradient');
      // The focus brings each hidden entry into view (as the arrows would); then all is put back.
      const active = g.document.activeElement;
      const scrollTop = list.scrollTop;
      const unreachable = hidden.filter((entry) => {
        entry.focus();
        return !inView(entry);
      });
      active?.focus();
      list.scrollTop = scrollTop;
      const names = (found: Entry[]) => found.map((entry) => entry.textContent);
      return { hidden: names(hidden), unreachable: names(unreachable), scrolls, shaded };
    });
  if (result.hidden.length > 0) {
    expect(result.scrolls && result.shaded, 'a list with hidden entries scrolls and shows its shade').toBe(true);
    expect(result.unreachable, 'side-menu entries the focus does not bring into view').toEqual([]);
  }
}

test.describe('alerts', () => {
  test.use({ mode: 'settings' });

  test('a hot headset: a banner on every screen, a labelled badge, the focus once, and both gone once it cools', async ({ page, headsetd }) => {
    test.setTimeout(60_000);
    await page.setViewportSize(PANEL_MAIN);
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await expect(page.getByTestId('alert-banner')).toHaveCount(0);
    await expect(page.getByTestId('alerts-badge')).toHaveCount(0);
    // The wearer is in the side menu when it happens.
    const home = nav(page).getByRole('button', { name: 'Home' });
    await home.focus();

    const heater = keepHot(headsetd.root);
    try {
      const alert = page.getByTestId('alert-temperature-critical');
      await expect(alert).toBeVisible({ timeout: 10_000 });
      await expect(alert).toContainText('The headset is too hot');
      await expect(alert).toContainText(/It is at 1[01]\d\u00a0°C\. Take it off now/);
      await expect(alert).toHaveAttribute('data-severity', 'critical');
      // Critical: it takes the focus (it has no button: the alert itself, its ring visible).
      await expect(alert).toBeFocused();
      expect(await alert.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
      // The side menu says what it is, in words; "getting hot" is covered by "too hot".
      const badge = page.getByTestId('alerts-badge');
      await expect(badge).toHaveText('Alerts: Too hot');
      await expect(badge).toHaveAttribute('data-severity', 'critical');
      await expect(page.getByTestId('alert-temperature-high')).toHaveCount(0);
      // The temperature bar and its trend line say so too.
      await expect(page.getByTestId('health-temperature')).toHaveAttribute('data-level', 'danger');

      await screenshotsAtPanelSizes(page, 'alerts-critical', {
        atEachSize: async () => {
          await expectFits(page, page.getByTestId('alert-banner'));
          await expectFits(page, nav(page));
          await expectRailEntriesInView(page);
        },
      });

      // Once: the wearer moves on, new readings come (new words), the focus stays where they put it.
      await focusWithArrows(page, home);
      const before = await alert.textContent();
      await expect.poll(() => alert.textContent(), { timeout: 10_000, message: 'a new reading is pushed' }).not.toBe(before);
      await expect(home).toBeFocused();

      // Another screen: the banner is there too, and does not take the focus again.
      const logs = nav(page).getByRole('button', { name: 'Logs & Diagnostics' });
      await focusWithArrows(page, logs);
      await page.keyboard.press('Enter');
      await expect(page.getByRole('main', { name: 'Logs & Diagnostics' }).getByTestId('alert-temperature-critical')).toBeVisible();
      await expect(alert).not.toBeFocused();
      // The badge leads to the alert with Enter.
      await focusWithArrows(page, badge);
      await page.keyboard.press('Enter');
      await expect(alert).toBeFocused();
    } finally {
      await heater.stop();
    }
    // Cooled down: under the clear threshold, the banner and the badge go by themselves.
    await expect(page.getByTestId('alert-banner')).toHaveCount(0, { timeout: 15_000 });
    await expect(page.getByTestId('alerts-badge')).toHaveCount(0);
  });

  test('a low battery warns without taking the focus', async ({ page, headsetd }) => {
    await page.setViewportSize(PANEL_SIZES[1]!);
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    const home = nav(page).getByRole('button', { name: 'Home' });
    await home.focus();
    await setBattery(headsetd.root, 12);
    const alert = page.getByTestId('alert-battery-low');
    await expect(alert).toBeVisible({ timeout: 10_000 });
    await expect(alert).toContainText(/The battery is low\d+\u00a0% left\. Plug in the charger soon\./);
    await expect(page.getByTestId('alerts-badge')).toHaveText('Alerts: Battery low');
    await expect(page.getByTestId('alerts-badge')).toHaveAttribute('data-severity', 'warning');
    await expect(home).toBeFocused();
    await expectFits(page, page.getByTestId('alert-banner'));
    await expectRailEntriesInView(page);
  });
});

test.describe('alerts in setup and recovery', () => {
  test('the first-run wizard shows a critical alert and gives it the focus', async ({ page, headsetd }) => {
    const heater = keepHot(headsetd.root);
    try {
      await page.setViewportSize(PANEL_MAIN);
      await openUi(page, headsetd);
      await expect(page.locator('[data-mode="setup"]')).toBeVisible();
      const alert = page.getByTestId('alert-temperature-critical');
      await expect(alert).toBeVisible({ timeout: 10_000 });
      await expect(alert).toBeFocused();
      // The arrows lead on to the wizard's own controls.
      await focusWithArrows(page, page.getByRole('button', { name: 'Continue' }));
      await screenshotsAtPanelSizes(page, 'alerts-setup', { atEachSize: () => expectFits(page, page.locator('[data-mode="setup"]')) });
    } finally {
      await heater.stop();
    }
  });

  test('the recovery kiosk shows a critical alert above its actions, with the focus', async ({ page, launchHeadsetd }) => {
    const headsetd = await launchHeadsetd({ mode: 'recovery' });
    const heater = keepHot(headsetd.root);
    try {
      await page.setViewportSize(PANEL_MAIN);
      await openUi(page, headsetd);
      await expect(page.getByRole('heading', { name: 'Recovery' })).toBeVisible();
      const alert = page.getByTestId('alert-temperature-critical');
      await expect(alert).toBeVisible({ timeout: 10_000 });
      await expect(alert).toBeFocused();
      // Down leads on to the recovery actions (the kiosk's three keys).
      await page.keyboard.press('ArrowDown');
      await expect(page.getByRole('menuitem', { name: /Restart the headset/ })).toBeFocused();
      await screenshotsAtPanelSizes(page, 'alerts-recovery', { atEachSize: () => expectFits(page, page.locator('[data-mode="recovery"]')) });
    } finally {
      await heater.stop();
    }
  });
});

updateTest.describe('update alerts', () => {
  updateTest(
    'an update available opens Updates or is dismissed; ready to restart restarts with "Restart now"',
    async ({ page, headsetRoot, launchHeadsetd, updateRepository }) => {
      updateTest.setTimeout(90_000);
      await page.setViewportSize(PANEL_MAIN);
      await updateRepository.trustOn(headsetRoot);
      const headsetd = await launchHeadsetd({ updateUrl: updateRepository.url, mode: 'settings' });
      await openUi(page, headsetd);
      await waitForLiveHome(page);
      const api = await connectApi(headsetd);
      try {
        await api.call('update.check');
        const available = page.getByTestId('alert-update-available');
        await expect(available).toContainText('An update is available');
        await expect(available).toContainText('System 1.1.0 is ready to download.');
        await expect(page.getByTestId('alerts-badge')).toHaveText('Alerts: Update available');
        // Information: it does not take the focus. Arrows reach its action; Enter opens Updates.
        const open = available.getByRole('button', { name: 'Open Updates' });
        await focusWithArrows(page, open);
        await page.keyboard.press('Enter');
        await expect(nav(page).getByRole('button', { name: 'Updates' })).toHaveAttribute('aria-current', 'page');
        // On Updates, no button to open Updates; it can be put away.
        await expect(available.getByRole('button', { name: 'Open Updates' })).toHaveCount(0);
        const dismiss = available.getByRole('button', { name: 'Dismiss: An update is available' });
        await focusWithArrows(page, dismiss);
        await page.keyboard.press('Enter');
        await expect(page.getByTestId('alert-banner')).toHaveCount(0);
        await expect(page.getByTestId('alerts-badge')).toHaveCount(0);
        // Back on Home for the rest (Updates offers its own restart; the banner leaves it to it).
        const home = nav(page).getByRole('button', { name: 'Home' });
        await focusWithArrows(page, home);
        await page.keyboard.press('Enter');
        await expect(home).toHaveAttribute('aria-current', 'page');

        await api.call('update.download');
        await expect.poll(async () => (await api.call('update.status')).state.status, { timeout: 20_000 }).toBe('downloaded');
        await api.call('update.install');
        const ready = page.getByTestId('alert-update-ready');
        await expect(ready).toContainText('Restart to finish the update');
        await expect(ready).toContainText('System 1.1.0 is installed.');
        await screenshotsAtPanelSizes(page, 'alerts-update-ready', {
          atEachSize: async () => {
            await expectFits(page, page.getByTestId('alert-banner'));
            // Two badges (the alert's and "Restart" on Updates): every entry still in view.
            await expectRailEntriesInView(page);
          },
        });
        const restart = ready.getByRole('button', { name: 'Restart now' });
        await focusWithArrows(page, restart);
        await page.keyboard.press('Enter');
        // update.restart: the headset restarts into 1.1.0 and commits it; the alert goes.
        await expect.poll(async () => (await api.call('update.history'))[0]?.outcome, { timeout: 20_000 }).toBe('committed');
        await expect(page.getByTestId('alert-update-ready')).toHaveCount(0, { timeout: 10_000 });
      } finally {
        api.close();
      }
    },
  );
});
