import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import type { BrowserGlobals } from './browserGlobals.js';
import { SCREENSHOTS, expect, openUi, test, waitForLiveHome, type Headsetd } from './fixtures.js';
import { expectLargeTargets } from './keyboardNavigation.js';
import { expectLayoutHolds } from './layoutCheck.js';

/**
 * headsetd goes away (killed, as a crash or a power cut would) and comes back on the same port,
 * root and token, as the launcher and systemd bring it back: the page says so in a banner with
 * Retry, tries again by itself, and when it is back shows the same screen, live.
 */
test.use({ mode: 'settings' });

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });
const banner = (page: Page) => page.getByRole('alertdialog', { name: 'Not connected to the headset' });
const retry = (page: Page) => banner(page).getByRole('button', { name: 'Retry' });

/** Starts headsetd again where the killed one was: same root, port and token, forced into settings as before. */
function restart(launch: (options: { mode: 'settings'; port: number; token: string }) => Promise<Headsetd>, old: Headsetd): Promise<Headsetd> {
  return launch({ mode: 'settings', port: old.port, token: old.token });
}

/** Nothing in `scope` is wider than its box, or outside the window sideways or below. */
async function expectFits(page: Page, scope: Locator): Promise<void> {
  const problems = await scope.evaluate((root) => {
    const g = globalThis as unknown as { innerWidth: number; innerHeight: number };
    const found: string[] = [];
    for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
      const box = el.getBoundingClientRect();
      if (box.width === 0) continue;
      const name = `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''} "${(el.textContent ?? '').slice(0, 30)}"`;
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) found.push(`${name} overflows (${el.scrollWidth} > ${el.clientWidth})`);
      if (el.scrollHeight > el.clientHeight + 1 && el.clientHeight > 0) found.push(`${name} is cut (${el.scrollHeight} > ${el.clientHeight})`);
      if (box.left < -1 || box.right > g.innerWidth + 1 || box.bottom > g.innerHeight + 1) found.push(`${name} outside the window`);
    }
    return found;
  });
  expect(problems).toEqual([]);
}

/** The next try's countdown, in seconds (the banner says "Reconnecting by itself in N s."). */
async function secondsToNextTry(page: Page): Promise<number | undefined> {
  const text = await page.getByTestId('connection-banner-next').textContent();
  const match = /in (\d+) s/.exec(text ?? '');
  return match ? Number(match[1]) : undefined;
}

test.describe('a lost connection', () => {
  test('the page comes back by itself on the same screen, with what it held', async ({ page, headsetd, launchHeadsetd }) => {
    test.setTimeout(60_000);
    await page.setViewportSize({ width: 1280, height: 720 });
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    // A screen with state of its own: Logs, filtered.
    await nav(page).getByRole('button', { name: 'Logs & Diagnostics' }).click();
    const filter = page.getByRole('searchbox');
    await filter.fill('boot');
    await expect(page.getByRole('main', { name: 'Logs & Diagnostics' })).toBeVisible();

    await headsetd.kill();
    await expect(banner(page)).toBeVisible();
    await expect(retry(page)).toBeFocused();
    // The first reconnect attempt may already have failed by now (headsetd is still down): either reason is true.
    await expect(banner(page)).toContainText(/The connection to the headset closed\.|The headset did not answer\./);
    await expect(page.getByTestId('connection-banner-next')).toHaveText(/Reconnecting (by itself in \d+ s|now…)/);
    // The screen behind is kept but cannot be used until the connection is back.
    await expect(nav(page).getByRole('button', { name: 'Logs & Diagnostics' })).toHaveAttribute('aria-current', 'page');
    expect(await page.locator('.face').getAttribute('inert')).not.toBeNull();
    // Escape and the arrows stay on the banner: they neither leave the screen nor reach behind it.
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Tab');
    await expect(retry(page)).toBeFocused();
    await expect(nav(page).getByRole('button', { name: 'Logs & Diagnostics' })).toHaveAttribute('aria-current', 'page');

    await restart(launchHeadsetd, headsetd);
    await expect(banner(page)).toBeHidden({ timeout: 20_000 });
    await expect(page.getByTestId('connection')).toHaveText('Live');
    await expect(nav(page).getByRole('button', { name: 'Logs & Diagnostics' })).toHaveAttribute('aria-current', 'page');
    await expect(filter).toHaveValue('boot');
    // Reloaded from the new headsetd: its log says it started again.
    await expect(page.getByRole('main', { name: 'Logs & Diagnostics' })).toBeVisible();
    // The keys work on the screen again: Escape goes Home, as before the loss.
    await nav(page).getByRole('button', { name: 'Logs & Diagnostics' }).focus();
    await page.keyboard.press('Escape');
    await expect(nav(page).getByRole('button', { name: 'Home' })).toHaveAttribute('aria-current', 'page');
    await waitForLiveHome(page);
  });

  test('Retry, pressed with Enter, tries at once and starts the wait over; pressed once headsetd is back, brings the page back', async ({
    page,
    headsetd,
    launchHeadsetd,
  }) => {
    test.setTimeout(90_000);
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await nav(page).getByRole('button', { name: 'Updates' }).click();
    const attempts: string[] = [];
    page.on('websocket', (ws) => attempts.push(ws.url()));

    await headsetd.kill();
    await expect(retry(page)).toBeFocused();
    // The waits grow while headsetd stays away...
    await expect.poll(() => secondsToNextTry(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
    const before = attempts.length;
    await page.keyboard.press('Enter');
    // ...and Retry tries at once (an attempt well before the one due), then waits the shortest time again.
    await expect.poll(() => attempts.length, { timeout: 2_000 }).toBe(before + 1);
    await expect.poll(() => secondsToNextTry(page), { timeout: 2_000 }).toBe(1);

    // Away long enough for a long wait, then back: Retry does not wait for it.
    await expect.poll(() => secondsToNextTry(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
    await restart(launchHeadsetd, headsetd);
    const due = Number(await banner(page).getAttribute('data-retry-at'));
    await expect(retry(page)).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(banner(page)).toBeHidden({ timeout: 5_000 });
    const backAt = await page.evaluate(() => (globalThis as unknown as BrowserGlobals & { Date: DateConstructor }).Date.now());
    expect(backAt, 'back before the automatic try was due').toBeLessThan(due);
    await expect(page.getByTestId('connection')).toHaveText('Live');
    await expect(nav(page).getByRole('button', { name: 'Updates' })).toHaveAttribute('aria-current', 'page');
  });

  for (const size of [
    { width: 1280, height: 720 },
    { width: 1024, height: 600 },
  ]) {
    test(`the banner at ${size.width}×${size.height}: whole, plain, a large Retry`, async ({ page, headsetd }) => {
      await page.setViewportSize(size);
      await openUi(page, headsetd);
      await waitForLiveHome(page);
      await headsetd.kill();
      await expect(retry(page)).toBeFocused();
      // Wait for a countdown (not the moment of an attempt) so the picture shows what a wearer mostly sees.
      await expect.poll(() => secondsToNextTry(page), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
      await expectFits(page, banner(page));
      await expectLargeTargets(page);
      const box = await retry(page).boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(48);
      expect(box!.width).toBeGreaterThanOrEqual(48);
      await page.screenshot({ path: join(SCREENSHOTS, `connection-lost-${size.width}x${size.height}.png`), animations: 'disabled', caret: 'hide' });
      await expectLayoutHolds(page, []);
    });
  }
});
