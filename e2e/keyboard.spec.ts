import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserGlobals } from './browserGlobals.js';
import { enterThroughSetup, expect, openUi, test, waitForLiveHome } from './fixtures.js';
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
    const wizard = page.locator('main.wizard');
    const seen: string[] = [];
    // Each step with its own focused control, then Enter on it goes on (the name field, then the PIN, in "You").
    for (let i = 0; i < 10 && (await wizard.isVisible()); i++) {
      const heading = (await page.getByRole('heading', { level: 1 }).first().textContent()) ?? '';
      seen.push(heading);
      await expect(page.locator(':focus')).toHaveCount(1);
      // The walks give the focus back to where it started: the step's own control, which Enter presses.
      await expectKeyboardReachesEverything(page);
      await expectLargeTargets(page);
      if (heading === 'All set') break;
      await page.keyboard.press('Enter');
      await expect(page.getByRole('heading', { level: 1 }).first()).not.toHaveText(heading);
    }
    expect(seen).toEqual([
      'Welcome to your headset',
      'Connect to a network',
      'About you',
      'Protect changes with a PIN',
      'Restore from a backup',
      'Your privacy',
      'Licence',
      'Check for updates',
      'All set',
    ]);
  });

  test('Enter alone completes the wizard', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
    await enterThroughSetup(page);
    await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Home' })).toBeFocused();
    // Persisted on the data partition: the next boot starts in settings; the journal says how each step ended.
    expect(existsSync(join(headsetd.root, 'data', 'headsetd', 'setup.json'))).toBe(true);
    expect(existsSync(join(headsetd.root, 'data', 'headsetd', 'setup-journal.json'))).toBe(true);
  });

  test('Escape goes back a step, and no further than the first', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    const indicator = page.getByTestId('setup-indicator');
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
    await expect(indicator).toContainText('Step 1 of 8');

    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Connect to a network' })).toBeVisible();
    await expect(indicator).toContainText('Step 2 of 8');

    await page.keyboard.press('Escape');
    await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
    await expect(indicator).toContainText('Step 1 of 8');
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();

    await page.keyboard.press('Escape');
    await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
    await expect(page.locator('[data-mode="setup"]')).toBeVisible();

    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Connect to a network' })).toBeVisible();
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
