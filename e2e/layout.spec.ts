import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SCREENSHOTS, expect, openUi, test, waitForLiveHome } from './fixtures.js';
import { PANEL_SIZES, expectLayoutHolds, expectOpensAtTop } from './layoutCheck.js';

/**
 * Every screen at the panel's sizes (1280 × 720, 1024 × 600): nothing wider than its box, no text cut
 * off, nothing outside the screen; a screen opens at its top with its focus in sight. The screens are taken from the navigation rail, so a new screen
 * is checked without a change here. States deeper in a screen are checked where their tests reach
 * them (expectLayoutHolds beside each screenshot).
 */

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

const slug = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

for (const size of PANEL_SIZES) {
  const at = `${size.width}x${size.height}`;

  test.describe(`at ${size.width} × ${size.height}`, () => {
    test.use({ viewport: size });

    test.describe('settings', () => {
      test.use({ mode: 'settings' });

      test('every screen of the navigation rail keeps its layout', async ({ page, headsetd }) => {
        await openUi(page, headsetd);
        await waitForLiveHome(page);
        const rail = page.getByRole('navigation', { name: 'Settings' });
        const titles = (
          await rail.locator('.rail-item').evaluateAll((items) => items.map((item) => item.getAttribute('data-title') ?? item.textContent ?? ''))
        ).map((t) => t.trim());
        expect(titles.length).toBeGreaterThan(1);
        for (const [index, title] of titles.entries()) {
          const entry = rail.locator('.rail-item').nth(index);
          await entry.click();
          await expect(entry).toHaveAttribute('aria-current', 'page');
          // Screens that read from headsetd say so while they do; their content is what is checked.
          await expect(page.getByRole('main').getByText(/Reading the log…|Searching…|Loading…/)).toHaveCount(0);
          await expectOpensAtTop(page);
          await expectLayoutHolds(page, []);
          await screenshot(page, `layout-${slug(title)}-${at}`);
        }
      });

      test('Home: the health values stay on one line and their bars in one row', async ({ page, headsetd }) => {
        await openUi(page, headsetd);
        await waitForLiveHome(page);
        const meters = page.locator('.health-grid [role="meter"]');
        const rows = await meters.evaluateAll((els) =>
          els.map((el) => {
            const value = el.querySelector('.meter-value')!;
            const track = el.querySelector('.meter-track')!;
            const lineHeight = Number.parseFloat(getComputedStyle(value).lineHeight);
            return {
              label: el.getAttribute('aria-label'),
              lines: Math.round(value.getBoundingClientRect().height / lineHeight),
              meterTop: Math.round(el.getBoundingClientRect().top),
              trackTop: Math.round(track.getBoundingClientRect().top),
            };
          }),
        );
        for (const row of rows) expect.soft(row.lines, `lines of the ${row.label} value`).toBe(1);
        // Meters that start on one row have their bars on one line.
        for (const a of rows)
          for (const b of rows)
            if (a.meterTop === b.meterTop) expect.soft(Math.abs(a.trackTop - b.trackTop), `bars of ${a.label} and ${b.label}`).toBeLessThanOrEqual(1);
      });

      test('Logs: the part chips and a chosen level keep their words', async ({ page, headsetd }) => {
        await openUi(page, headsetd);
        await waitForLiveHome(page);
        await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Logs & Diagnostics' }).click();
        const main = page.getByRole('main');
        await main.getByRole('button', { name: 'Warnings', exact: true }).click();
        await expect(main.getByRole('button', { name: 'Warnings', exact: true })).toHaveAttribute('aria-pressed', 'true');
        await main.getByRole('button', { name: 'Part: All parts' }).click();
        await main.getByRole('button', { name: 'Device identity', exact: true }).click();
        await expect(main.getByRole('button', { name: 'Device identity', exact: true })).toHaveAttribute('aria-pressed', 'true');
        await main.getByRole('group', { name: 'Parts' }).scrollIntoViewIfNeeded();
        await expectLayoutHolds(page, []);
        await screenshot(page, `layout-logs-parts-${at}`);
      });
    });

    test.describe('setup', () => {
      test('the first step keeps its layout', async ({ page, headsetd }) => {
        await openUi(page, headsetd);
        await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
        // It opens at its top (the step indicator whole) with its focused Continue button in sight.
        await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
        await expectOpensAtTop(page);
        await expectLayoutHolds(page, []);
        await screenshot(page, `layout-setup-${at}`);
      });
    });

    test.describe('recovery', () => {
      test.use({ mode: 'recovery' });

      test('the kiosk keeps its layout', async ({ page, headsetd }) => {
        await openUi(page, headsetd);
        await expect(page.getByRole('menuitem', { name: /Restart the headset/ })).toBeFocused();
        await expectOpensAtTop(page);
        await expectLayoutHolds(page, []);
        await screenshot(page, `layout-recovery-${at}`);
      });
    });
  });
}
