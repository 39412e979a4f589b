import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserGlobals } from './browserGlobals.js';
import { expect, openUi, test, waitForLiveHome } from './fixtures.js';
import { expectKeyboardReachesEverything, expectLargeTargets } from './keyboardNavigation.js';

/**
 * Keyboard only, as on the headset (controller d-pad, or a keyboard on the recovery kiosk): from the
 * page load on, arrows and Tab must reach every control, focus must be visible from a metre away,
 * and every target must be at least 48 × 48 CSS px. (The Updates screen: updates.spec.ts.)
 */

test.describe('settings, keyboard only', () => {
  test.use({ mode: 'settings' });

  test('arrows and Tab reach every control on Home, with a visible focus ring and large targets', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    const home = page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Home' });
    await expect(home).toBeFocused();
    await expectKeyboardReachesEverything(page);
    await expectLargeTargets(page);
  });

  test('Escape leads back to the navigation rail', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    const home = page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Home' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    await expect(home).toBeFocused();
  });
});

test.describe('setup, keyboard only', () => {
  test('arrows and Tab reach every control on each step, with a visible focus ring and large targets', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
    await expectKeyboardReachesEverything(page);
    await expectLargeTargets(page);

    await page.getByRole('button', { name: 'Continue' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Your privacy' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Save and continue' })).toBeFocused();
    await expectKeyboardReachesEverything(page);
    await expectLargeTargets(page);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Protect changes with a PIN' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Skip for now' })).toBeFocused();
    await expectKeyboardReachesEverything(page);
    await expectLargeTargets(page);
    await page.getByRole('button', { name: 'Skip for now' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'All set' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Finish setup' })).toBeFocused();
    await expectKeyboardReachesEverything(page);
    await expectLargeTargets(page);
  });

  test('Enter alone completes the wizard', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: 'Save and continue' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: 'Skip for now' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'All set' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Finish setup' })).toBeFocused();
    await page.keyboard.press('Enter');

    await expect(page.locator('[data-mode="settings"]')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Home' })).toBeFocused();
    // Persisted on the data partition: the next boot starts in settings.
    expect(existsSync(join(headsetd.root, 'data', 'headsetd', 'setup.json'))).toBe(true);
  });

  test('Escape goes back a step, and no further than the first', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    const steps = page.getByRole('list', { name: 'Setup progress' }).getByRole('listitem');
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
    await expect(steps.nth(0)).toHaveAttribute('aria-current', 'step');

    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Your privacy' })).toBeVisible();
    await expect(steps.nth(1)).toHaveAttribute('aria-current', 'step');

    await page.keyboard.press('Escape');
    await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
    await expect(steps.nth(0)).toHaveAttribute('aria-current', 'step');
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();

    await page.keyboard.press('Escape');
    await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
    await expect(page.locator('[data-mode="setup"]')).toBeVisible();

    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Your privacy' })).toBeVisible();
  });
});

test.describe('recovery, keyboard only', () => {
  test.use({ mode: 'recovery' });

  test('Up and Down reach every action, Tab too, with a visible focus ring and large targets', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await expect(page.getByRole('heading', { name: 'Recovery' })).toBeVisible();
    await expect(page.getByRole('menuitem', { name: /Restart the headset/ })).toBeFocused();
    await expectKeyboardReachesEverything(page, ['ArrowDown', 'ArrowUp']);
    await expectLargeTargets(page);
  });

  test('Up, Down and Enter are enough to restart, and the headset leaves recovery', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    const restart = page.getByRole('menuitem', { name: /Restart the headset/ });
    await expect(restart).toBeVisible();
    await expect(page.getByTestId('device-id')).not.toBeEmpty();

    // Walk to the action with Down (then Up) only, whatever has focus at first.
    const actions = await page.getByRole('menuitem').count();
    for (const key of ['ArrowDown', 'ArrowUp']) {
      for (let i = 0; i <= actions && !(await restart.evaluate((el) => el === (globalThis as unknown as BrowserGlobals).document.activeElement)); i++)
        await page.keyboard.press(key);
    }
    await expect(restart).toBeFocused();
    await page.keyboard.press('Enter');

    // The simulated reboot re-resolves the mode: setup was never completed on this device.
    await expect(page.locator('[data-mode="recovery"]')).toHaveCount(0);
    await expect(page.locator('[data-mode="setup"]')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
    await expect.poll(() => headsetd.log()).toMatch(/boot 2: slot A, mode setup/);
  });
});
