import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { completeSetup, expect, openUi, test, waitForLiveHome } from './fixtures.js';
import { focusWithArrows } from './keyboardNavigation.js';
import { PANEL_MAIN, screenshotsAtPanelSizes } from './layoutCheck.js';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });
const bootId = (root: string) => readFile(join(root, 'run', 'boot_id'), 'utf8').then((text) => text.trim());

/** From anywhere in settings, with arrows and Enter only: the Power screen. */
async function openPowerWithKeys(page: Page): Promise<void> {
  const entry = nav(page).getByRole('button', { name: 'Power' });
  await focusWithArrows(page, entry);
  await page.keyboard.press('Enter');
  await expect(entry).toHaveAttribute('aria-current', 'page');
}

async function pressWithArrows(page: Page, name: string | RegExp): Promise<void> {
  await focusWithArrows(page, page.getByRole('main').getByRole('button', { name }));
  await page.keyboard.press('Enter');
}

test.describe('Power', () => {
  test('Restart asks first: Cancel and Escape keep the headset on, Yes restarts it and the screen comes back', async ({ page, headsetd }) => {
    await page.setViewportSize(PANEL_MAIN);
    await openUi(page, headsetd);
    // Set up, so that the restart lands in settings again.
    await completeSetup(page);
    await waitForLiveHome(page);
    await openPowerWithKeys(page);
    await screenshotsAtPanelSizes(page, 'power');
    const before = await bootId(headsetd.root);

    await pressWithArrows(page, /^Restart Start/);
    const question = page.getByRole('group', { name: /^Restart the headset\?/ });
    await expect(question).toBeVisible();
    // Cancel has the focus: Enter by mistake changes nothing.
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await screenshotsAtPanelSizes(page, 'power-confirm');
    await page.keyboard.press('Enter');
    await expect(question).toHaveCount(0);
    await pressWithArrows(page, /^Restart Start/);
    await expect(question).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(question).toHaveCount(0);
    // Escape closed the question only: still on Power.
    await expect(nav(page).getByRole('button', { name: 'Power' })).toHaveAttribute('aria-current', 'page');
    expect(await bootId(headsetd.root)).toBe(before);

    await pressWithArrows(page, /^Restart Start/);
    await pressWithArrows(page, 'Yes, restart');
    // The simulated headset power-cycles: a new boot, and the screen is usable again.
    await expect.poll(() => bootId(headsetd.root), { timeout: 15_000 }).not.toBe(before);
    await expect.poll(() => headsetd.log(), { timeout: 15_000 }).toMatch(/boot 2: slot A, mode settings/);
    await expect(page.getByRole('main').getByRole('button', { name: /^Restart Start/ })).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId('connection')).toHaveText('Live');
  });

  test('Switch off asks first, then the headset goes off: headsetd stops cleanly and the page says the headset is off', async ({
    page,
    headsetd,
  }) => {
    await page.setViewportSize(PANEL_MAIN);
    await openUi(page, headsetd);
    await completeSetup(page);
    await waitForLiveHome(page);
    await openPowerWithKeys(page);
    await pressWithArrows(page, /^Switch off/);
    await expect(page.getByRole('group', { name: /^Switch the headset off\?/ })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await pressWithArrows(page, 'Yes, switch off');
    await expect(page.getByRole('heading', { name: 'The headset is off' })).toBeVisible({ timeout: 15_000 });
    // Not a lost connection: no banner, no retry.
    await expect(page.getByRole('button', { name: /Retry/ })).toHaveCount(0);
    await expect.poll(() => headsetd.log(), { timeout: 10_000 }).toMatch(/simulated power off/);
    await expect.poll(() => headsetd.log(), { timeout: 10_000 }).toMatch(/headsetd: power off, shutting down/);
    expect(await headsetd.stop(), 'headsetd exit code').toBe(0);
    await screenshotsAtPanelSizes(page, 'power-off');
  });
});

test.describe('Power in recovery', () => {
  test('Switch off is among the recovery actions, asks first, and switches off', async ({ page, launchHeadsetd }) => {
    await page.setViewportSize(PANEL_MAIN);
    const headsetd = await launchHeadsetd({ mode: 'recovery' });
    await openUi(page, headsetd);
    const switchOff = page.getByRole('menuitem', { name: /^Switch off/ });
    await focusWithArrows(page, switchOff, ['ArrowDown', 'ArrowUp']);
    await page.keyboard.press('Enter');
    await expect(page.getByText('Switch the headset off?')).toBeVisible();
    await expect(page.getByRole('menuitem', { name: /^Cancel/ })).toBeFocused();
    await screenshotsAtPanelSizes(page, 'recovery-power-off-confirm');
    await page.keyboard.press('Enter');
    await expect(switchOff).toBeVisible();
    await focusWithArrows(page, switchOff, ['ArrowDown', 'ArrowUp']);
    await page.keyboard.press('Enter');
    await focusWithArrows(page, page.getByRole('menuitem', { name: /^Yes, switch off/ }), ['ArrowDown', 'ArrowUp']);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'The headset is off' })).toBeVisible({ timeout: 15_000 });
    await expect.poll(() => headsetd.log(), { timeout: 10_000 }).toMatch(/headsetd: power off, shutting down/);
    expect(await headsetd.stop()).toBe(0);
  });
});
