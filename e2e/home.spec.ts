import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SCREENSHOTS, expect, openUi, readBuildInfo, readIdentity, test, waitForLiveHome } from './fixtures.js';
import { expectLayoutHolds } from './layoutCheck.js';

test.use({ mode: 'settings' });

test.describe('Home', () => {
  test('shows this headset and the one system version; the build, key and slots are not on Home', async ({ page, headsetd }) => {
    const identity = await readIdentity(headsetd.root);
    const build = await readBuildInfo();
    await openUi(page, headsetd);
    await waitForLiveHome(page);

    await expect(page.getByTestId('device-id')).toHaveText(identity.deviceId);
    await expect(page.getByTestId('model')).toContainText('Simulated');
    // One version for the wearer: the system's (the factory installed the build's version in slot A).
    await expect(page.getByTestId('system-version')).toHaveText(`System ${build.version}`);
    const home = page.getByRole('main');
    await expect(home).not.toContainText(build.commit.slice(0, 12));
    await expect(home).not.toContainText(identity.publicKey.slice(0, 16));
    await expect(home).not.toContainText('Boots first');
    await expect(page.getByTestId('slots')).toHaveCount(0);
    // Trend lines have axes with units and the time they cover.
    const trend = page.getByTestId('health-temperature').locator('.trend');
    await expect(trend).toBeVisible({ timeout: 10_000 });
    await expect(trend.locator('.trend-values')).toContainText('°C');
    await expect(trend.locator('.trend-times')).toContainText('now');
    for (const size of [
      { width: 1280, height: 720 },
      { width: 1024, height: 600 },
    ]) {
      await page.setViewportSize(size);
      await page.screenshot({ path: join(SCREENSHOTS, `home-${size.width}x${size.height}.png`), animations: 'disabled', caret: 'hide' });
      await expectLayoutHolds(page, []);
    }
  });

  test('shows live health values and refreshes them', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await expect(page.getByTestId('health-cpu')).toContainText(/\d+ %/);
    await expect(page.getByTestId('health-temperature')).toContainText(/\d+\.\d °C/);
    await expect(page.getByTestId('health-memory')).toContainText(/[\d.]+ [KMGT]?B of [\d.]+ [KMGT]?B/);
    await expect(page.getByTestId('health-disk')).toContainText(/[\d.]+ [KMGT]?B of [\d.]+ [KMGT]?B/);

    const updated = page.getByTestId('health-updated');
    const first = await updated.getAttribute('data-taken-at');
    expect(first, 'the first snapshot has a time').toBeTruthy();
    expect(Date.parse(first!)).not.toBeNaN();
    // headsetd samples every 3 s and pushes each snapshot: a new one arrives well within 8 s.
    await expect.poll(() => updated.getAttribute('data-taken-at'), { timeout: 8_000, message: 'a newer health snapshot arrives' }).not.toBe(first);
    const second = await updated.getAttribute('data-taken-at');
    expect(Date.parse(second!)).toBeGreaterThan(Date.parse(first!));
  });

  test('says what the GPS bar counts, and turns a low battery amber then red where headsetd raises its alerts', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    const gps = page.getByTestId('health-gps');
    // The lock time, the satellites, and what the bar shows: not to be read as a percentage.
    await expect(gps).toHaveAttribute('aria-valuetext', /^(Locked in [\d.]+ s|Locked|Searching) · \d+ satellites? · Satellites in use, out of 12$/);
    await expect(gps).toContainText('Satellites in use, out of 12');
    const battery = page.getByTestId('health-battery');
    await expect(battery).toHaveAttribute('data-level', 'ok');
    // The simulated battery takes a level written to its sysfs file and goes on from there.
    const capacity = join(headsetd.root, 'power_supply', 'BAT0', 'capacity');
    // The thresholds are the headset's own (alerts.thresholds): 16 % is neither low nor an alert.
    await writeFile(capacity, '16\n');
    await expect(battery).toHaveAttribute('aria-valuetext', /^1[56] %/, { timeout: 10_000 });
    await expect(battery).toHaveAttribute('data-level', 'ok');
    await expect(page.getByTestId('alert-banner')).toHaveCount(0);
    // At 12 %: amber, as the "battery low" alert says.
    await writeFile(capacity, '12\n');
    await expect(battery).toHaveAttribute('aria-valuetext', /^1[0-2] %/, { timeout: 10_000 });
    await expect(battery).toHaveAttribute('data-level', 'warn');
    await expect(battery.locator('.meter-fill')).toHaveClass(/\bwarn\b/);
    await expect(page.getByTestId('alert-battery-low')).toBeVisible();
    // At 4 %: red, as "almost empty".
    await writeFile(capacity, '4\n');
    await expect(battery).toHaveAttribute('aria-valuetext', /^[0-4] %/, { timeout: 10_000 });
    await expect(battery).toHaveAttribute('data-level', 'danger');
    await expect(battery.locator('.meter-fill')).toHaveClass(/\bdanger\b/);
    await expect(page.getByTestId('alert-battery-critical')).toBeVisible();
    // The temperature bar reaches above "too hot" (95 °C).
    await expect(page.getByTestId('health-temperature')).toHaveAttribute('aria-valuemax', '110');
  });

  test('the slot cards (on Updates) fit their panel on the 1280 × 720 panel', async ({ page, headsetd }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Updates' }).click();
    const panel = page.locator('.panel', { has: page.getByTestId('slots') });
    const inner = await panel.evaluate((el) => el.getBoundingClientRect().right);
    for (const slot of ['A', 'B']) {
      const card = page.getByTestId(`slot-${slot}`);
      const box = (await card.boundingBox())!;
      expect(box.x + box.width, `slot ${slot} ends inside its panel`).toBeLessThanOrEqual(inner);
      // Nothing inside the card sticks out of it (the badge wraps under the name instead).
      expect(await card.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      // The start attempts are dots with their legend.
      await expect(page.getByTestId(`slot-${slot}-tries`)).toContainText(/\d start attempts? left/);
    }
  });

  test('each screen opens at its top, whatever the last one was scrolled to', async ({ page, headsetd }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    const content = page.locator('main.content');
    // Home is taller than the 720 px panel: scrolled to its end.
    await content.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    expect(await content.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Updates' }).click();
    await expect(page.getByRole('main', { name: 'Updates' })).toBeVisible();
    expect(await page.locator('main.content').evaluate((el) => el.scrollTop)).toBe(0);
  });

  test('says the connection is live', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    const badge = page.getByTestId('connection');
    await expect(badge).toHaveText('Live');
    await expect(badge.locator('.dot')).toHaveClass(/\bconnected\b/);
  });

  test('says when the connection is lost', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await headsetd.stop();
    await expect(page.getByRole('heading', { name: 'Not connected' })).toBeVisible();
  });
});
