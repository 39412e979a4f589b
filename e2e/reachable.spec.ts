import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { BrowserGlobals } from './browserGlobals.js';
import { SCREENSHOTS, expect, openUi, test, waitForLiveHome } from './fixtures.js';
import { expectKeyReadsEverything } from './contentReach.js';
import { arrowTo, focusWithArrows } from './keyboardNavigation.js';
import { expectLayoutHolds } from './layoutCheck.js';

/**
 * Every piece of content on every screen is reached and scrolled with the keys a d-pad or the kiosk
 * keyboard has (arrows, PageUp/PageDown, Home/End, Space, Enter), focus never leaves the screen,
 * and Escape closes the innermost thing first. At the panel's 1280 × 720: Home's battery and GPS and
 * the log's entries lie below the first screen there.
 */

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });
const content = (page: Page) => page.getByRole('main');
const isFocused = (page: Page, selector: string) =>
  page.evaluate((s) => (globalThis as unknown as BrowserGlobals).document.activeElement?.matches(s) ?? false, selector);
const scrollTop = (page: Page) => content(page).evaluate((el) => (el as unknown as { scrollTop: number }).scrollTop);

test.use({ mode: 'settings', viewport: { width: 1280, height: 720 } });

test.describe('Home', () => {
  test('Right enters the content and Down reads all of it, down to the battery and the GPS', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await expect(page.getByTestId('health-battery')).toBeVisible();
    // Below the first screen, at least in part.
    await expect(page.getByTestId('health-gps')).not.toBeInViewport({ ratio: 1 });
    await expect(nav(page).getByRole('button', { name: 'Home' })).toBeFocused();

    await page.keyboard.press('ArrowRight');
    expect(await isFocused(page, 'main *'), 'Right from the rail goes into the content').toBe(true);
    await expectKeyReadsEverything(page, content(page), 'ArrowDown');
    await expect(page.getByTestId('health-gps')).toBeInViewport();
    await page.screenshot({ path: join(SCREENSHOTS, 'reachable-home-read-1280x720.png'), animations: 'disabled', caret: 'hide' });
    // And back up, all the way, with the same key the other way.
    await expectKeyReadsEverything(page, content(page), 'ArrowUp');
    await expect(page.getByTestId('device-id')).toBeInViewport();
    // Left goes back to the rail.
    await page.keyboard.press('ArrowLeft');
    expect(await isFocused(page, 'nav *')).toBe(true);
  });

  test('PageDown, End and Home scroll the content from the rail; Space pages on from the content', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await expect(nav(page).getByRole('button', { name: 'Home' })).toBeFocused();

    await expectKeyReadsEverything(page, content(page), 'PageDown');
    await expect(page.getByTestId('health-gps')).toBeInViewport();
    // The focus stayed in the rail: Enter there still opens a screen.
    await expect(nav(page).getByRole('button', { name: 'Home' })).toBeFocused();

    await page.keyboard.press('Home');
    expect(await scrollTop(page)).toBe(0);
    await page.keyboard.press('End');
    expect(await scrollTop(page)).toBeGreaterThan(0);
    await expect(page.getByTestId('health-gps')).toBeInViewport();
    await page.keyboard.press('Home');
    expect(await scrollTop(page)).toBe(0);

    // Space on content (not on a button, where it presses) pages down like PageDown.
    await page.keyboard.press('ArrowRight');
    expect(await isFocused(page, 'main *')).toBe(true);
    await page.keyboard.press('Space');
    expect(await scrollTop(page)).toBeGreaterThan(0);
    // The focus followed the view: the next arrow goes on from what shows.
    expect(
      await page.evaluate(() => {
        const active = (globalThis as unknown as { document: { activeElement: { getBoundingClientRect(): { top: number } } | null } }).document
          .activeElement;
        return active ? active.getBoundingClientRect().top : -1;
      }),
    ).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Shift+Space');
    expect(await scrollTop(page)).toBe(0);
  });
});

test.describe('Logs & Diagnostics', () => {
  async function openLogs(page: Page): Promise<void> {
    const entry = nav(page).getByRole('button', { name: 'Logs & Diagnostics' });
    await focusWithArrows(page, entry);
    await page.keyboard.press('Enter');
    await expect(entry).toHaveAttribute('aria-current', 'page');
    await expect(page.getByTestId('log-lines')).toBeVisible();
    await expect(page.getByTestId('range-status')).toContainText('Up to');
    await expect(page.getByTestId('entries-status')).not.toContainText('Searching');
  }

  test('Down from Refresh goes to what stands out, then through the charts and every entry', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await openLogs(page);
    await focusWithArrows(page, content(page).getByRole('button', { name: 'Refresh' }), ['ArrowUp', 'ArrowRight']);

    await page.keyboard.press('ArrowDown');
    expect(await isFocused(page, '.logs-overview .panel'), 'Down from Refresh stays with the pictures under it').toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'reachable-logs-insights-1280x720.png'), animations: 'disabled', caret: 'hide' });
    await expectKeyReadsEverything(page, content(page), 'ArrowDown');
    // The entries are stops for the arrows, not only for Tab.
    await focusWithArrows(page, page.getByTestId('log-line').first(), ['ArrowUp']);
    // An entry with details (the network audit's entries have them) is a stop that holds a stop:
    // Down goes into its details button and on to the next entry; Up from the button comes back to the entry.
    const entries = page.getByTestId('log-line');
    const withDetails = entries.filter({ has: page.locator('summary') }).first();
    await expect(withDetails, 'an entry with details to walk through').toBeVisible();
    await focusWithArrows(page, withDetails, ['ArrowDown']);
    await page.keyboard.press('ArrowDown');
    await expect(withDetails.locator('summary')).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(withDetails).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const next = withDetails.locator('xpath=following-sibling::li[1]');
    if ((await next.count()) > 0) await expect(next, 'Down from the details goes on to the next entry').toBeFocused();
    // And the list ends at the last entry (or its details).
    const last = entries.last();
    const lastDetails = last.locator('summary');
    await focusWithArrows(page, (await lastDetails.count()) > 0 ? lastDetails.first() : last, ['ArrowDown']);
    await expectLayoutHolds(page);
  });

  test('Escape in the text filter keeps the text and the screen; the next Escape goes back', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await openLogs(page);
    const search = page.getByRole('searchbox');
    await arrowTo(page, search);
    await page.keyboard.type('headsetd');
    await expect(search).toHaveValue('headsetd');

    await page.keyboard.press('Escape');
    await expect(nav(page).getByRole('button', { name: 'Logs & Diagnostics' })).toHaveAttribute('aria-current', 'page');
    await expect(search).toHaveValue('headsetd');
    await expect(search).toBeFocused();

    await page.keyboard.press('Escape');
    await expect(nav(page).getByRole('button', { name: 'Home' })).toHaveAttribute('aria-current', 'page');
    // The filter was kept for when the wearer comes back.
    await nav(page).getByRole('button', { name: 'Logs & Diagnostics' }).press('Enter');
    await expect(page.getByRole('searchbox')).toHaveValue('headsetd');
  });
});

test.describe('recovery', () => {
  test.use({ mode: 'recovery' });

  test('Tab past the last action comes round to the first, Shift+Tab the other way: the focus never leaves', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    const actions = page.getByRole('menuitem');
    await expect(actions.first()).toBeFocused();
    const count = await actions.count();
    for (let i = 1; i < count; i++) await page.keyboard.press('Tab');
    await expect(actions.last()).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(actions.first()).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(actions.last()).toBeFocused();
  });
});
