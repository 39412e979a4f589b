import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SCREENSHOTS, UUID, completeSetup, expect, openUi, readBuildInfo, setRecoveryButton, test, waitForLiveHome } from './fixtures.js';
import { expectLayoutHolds } from './layoutCheck.js';

/** One screenshot per mode, at the panel's size, for the README and for reviewers. */
async function screenshot(page: Page, mode: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${mode}.png`), animations: 'disabled', caret: 'hide' });
  // The same state at the panel's sizes: nothing cut, nothing wider than its box.
  await expectLayoutHolds(page);
}

test.describe('screenshots', () => {
  test.use({ viewport: { width: 1600, height: 900 } });

  test('settings: Home with live data', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await completeSetup(page);
    await waitForLiveHome(page);
    // Two snapshots at least, so the trend lines are drawn: CPU load, temperature, memory, battery.
    await expect(page.locator('.health .trend polyline')).toHaveCount(4, { timeout: 10_000 });
    await screenshot(page, 'settings');
  });

  test('setup: the first step', async ({ page, headsetd }) => {
    const build = await readBuildInfo();
    await openUi(page, headsetd);
    await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
    await expect(page.getByTestId('device-id')).toHaveText(UUID);
    await expect(page.getByTestId('setup-system')).toHaveText(`System ${build.version}`);
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
    await screenshot(page, 'setup');
  });

  test('recovery: the kiosk', async ({ page, launchHeadsetd }) => {
    const build = await readBuildInfo();
    await openUi(page, await launchHeadsetd({ mode: 'recovery' }));
    await expect(page.getByRole('heading', { name: 'Recovery' })).toBeVisible();
    await expect(page.getByTestId('device-id')).toHaveText(UUID);
    // One version: the system's.
    await expect(page.getByTestId('recovery-system')).toHaveText(`System ${build.version}`);
    await expect(page.getByRole('menuitem', { name: /Restart the headset/ })).toBeFocused();
    await screenshot(page, 'recovery');
  });
});

test.describe('recovery', () => {
  test('has no navigation and no way out but its actions', async ({ page, launchHeadsetd }) => {
    await openUi(page, await launchHeadsetd({ mode: 'recovery' }));
    const recovery = page.locator('[data-mode="recovery"]');
    await expect(recovery).toBeVisible();
    await expect(page.getByRole('navigation')).toHaveCount(0);
    await expect(page.locator('.rail')).toHaveCount(0);
    await expect(page.locator('a[href], form, iframe')).toHaveCount(0);

    // Its only controls are the recovery actions (no slot to go back to on a new device).
    const actions = page.getByRole('menu', { name: 'Recovery actions' }).getByRole('menuitem');
    await expect(actions).toHaveText([
      /^Restart the headset/,
      /^Reinstall the system/,
      /^Restore from a backup/,
      /^Connect to a network/,
      /^Export logs to USB/,
      /^Erase and reset/,
      /^Switch off/,
    ]);
    await expect(page.locator('button, [role="button"]')).toHaveCount(await actions.count());

    // Keys that leave a screen elsewhere do nothing here.
    for (const key of ['Escape', 'Backspace', 'Alt+ArrowLeft', 'ArrowLeft', 'ArrowRight', 'Home', 'End']) {
      await page.keyboard.press(key);
      await expect(recovery, `still in recovery after ${key}`).toBeVisible();
    }
  });

  test('the recovery button held at boot starts the headset in recovery', async ({ page, headsetRoot, launchHeadsetd }) => {
    // First boot of a new device, without the button: the first-run wizard.
    const first = await launchHeadsetd();
    await openUi(page, first);
    await expect(page.locator('[data-mode="setup"]')).toBeVisible();
    expect(await first.stop()).toBe(0);

    await setRecoveryButton(headsetRoot, true);
    const second = await launchHeadsetd();
    expect(second.log()).toMatch(/boot \d+: slot A, mode recovery/);
    await openUi(page, second);
    await expect(page.locator('[data-mode="recovery"]')).toBeVisible();
    await expect(page.getByText('The recovery button was held')).toBeVisible();
    await expect(page.getByRole('navigation')).toHaveCount(0);

    // Released, a restart goes through the normal boot: back to where the device was (setup).
    await setRecoveryButton(headsetRoot, false);
    await page.getByRole('menuitem', { name: /Restart the headset/ }).press('Enter');
    await expect(page.locator('[data-mode="setup"]')).toBeVisible();
    await expect(page.locator('[data-mode="recovery"]')).toHaveCount(0);
  });

  test('a restart with the button still held stays in recovery', async ({ headsetRoot, launchHeadsetd, page }) => {
    // The factory leaves the button released: make the device first, then hold the button.
    expect(await (await launchHeadsetd()).stop()).toBe(0);
    await setRecoveryButton(headsetRoot, true);
    const headsetd = await launchHeadsetd();
    await openUi(page, headsetd);
    await expect(page.locator('[data-mode="recovery"]')).toBeVisible();
    await page.getByRole('menuitem', { name: /Restart the headset/ }).press('Enter');
    await expect.poll(() => headsetd.log()).toMatch(/boot 3: slot A, mode recovery/);
    // A fresh recovery screen for the new boot, usable with the keys again.
    await expect(page.getByRole('menuitem', { name: /Restart the headset/ })).toBeEnabled();
    await expect(page.getByRole('menuitem', { name: /Restart the headset/ })).toBeFocused();
    await expect(page.locator('[data-mode="recovery"]')).toBeVisible();
  });

  test('a device whose setup is done leaves recovery for settings', async ({ page, headsetRoot, launchHeadsetd }) => {
    const first = await launchHeadsetd();
    await openUi(page, first);
    await completeSetup(page);
    expect(await first.stop()).toBe(0);

    await setRecoveryButton(headsetRoot, true);
    const second = await launchHeadsetd();
    await openUi(page, second);
    await expect(page.locator('[data-mode="recovery"]')).toBeVisible();
    await setRecoveryButton(headsetRoot, false);
    await page.getByRole('menuitem', { name: /Restart the headset/ }).press('Enter');
    await expect(page.locator('[data-mode="settings"]')).toBeVisible();
    await waitForLiveHome(page);
  });
});
