import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SCREENSHOTS, completeSetup, enterThroughSetup, expect, openUi, test } from './fixtures.js';
import { expectLayoutHolds } from './layoutCheck.js';

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
  // The same state at the panel's sizes: nothing cut, nothing wider than its box.
  await expectLayoutHolds(page);
}

const consentFile = (root: string) => join(root, 'data', 'headsetd', 'privacy-consent.json');

/** Moves focus with `keys`, pressed in turn, until `target` has it (at most `limit` presses). */
async function focusWith(page: Page, keys: string[], target: ReturnType<Page['getByRole']>, limit = 20): Promise<void> {
  for (let i = 0; i < limit && !(await target.evaluate((el) => el === el.ownerDocument.activeElement)); i++)
    await page.keyboard.press(keys[i % keys.length]!);
  await expect(target).toBeFocused();
}

test.describe('privacy', () => {
  test.use({ viewport: { width: 1600, height: 900 } });

  test('setup asks before finishing: everything optional off, essential locked on; keys alone choose', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await enterThroughSetup(page, 'privacy');
    await expect(page.getByRole('heading', { name: 'Your privacy' })).toBeVisible();
    const switches = page.getByRole('switch');
    await expect(switches).toHaveCount(5);
    for (const s of await switches.all()) await expect(s).toHaveAttribute('aria-checked', 'false');
    await expect(page.getByRole('group', { name: /Essential update information: always on/ })).toContainText('Always on');
    await expect(page.getByRole('button', { name: 'Save and continue' })).toBeFocused();

    // Keyboard only: up to the errors switch, Enter turns it on (the focus stays on it), down to save.
    const errors = page.getByRole('switch', { name: /^Errors and crashes/ });
    await focusWith(page, ['ArrowUp', 'ArrowLeft', 'ArrowUp', 'ArrowDown'], errors, 6);
    await page.keyboard.press('Enter');
    await expect(errors).toHaveAttribute('aria-checked', 'true');
    await expect(errors).toBeFocused();
    const save = page.getByRole('button', { name: 'Save and continue' });
    await focusWith(page, ['ArrowDown'], save, 2);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Licence' })).toBeVisible();
    const saved = JSON.parse(await readFile(consentFile(headsetd.root), 'utf8')) as {
      policyVersion: number;
      decidedAt: string;
      granted: Record<string, boolean>;
    };
    expect(saved).toMatchObject({
      policyVersion: 1,
      granted: { essential: true, errors: true, usage: false, location: false, performance: false, hardware: false },
    });
    // Enter alone: no update check, then finish.
    await enterThroughSetup(page);

    await expect(page.locator('[data-mode="settings"]')).toBeVisible();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Privacy' }).click();
    await expect(page.getByRole('switch', { name: /^Errors and crashes/ })).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByRole('switch', { name: /^Usage/ })).toHaveAttribute('aria-checked', 'false');
  });

  test('a switch on the Privacy screen persists across a reload and a restart of headsetd; the policy is readable', async ({
    page,
    headsetRoot,
    launchHeadsetd,
  }) => {
    const first = await launchHeadsetd();
    await openUi(page, first);
    await completeSetup(page);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Privacy' }).click();
    const usage = page.getByRole('switch', { name: /^Usage/ });
    await expect(usage).toHaveAttribute('aria-checked', 'false');
    // What each category sends, in plain words: metric names only in the policy's table.
    await expect(usage).toContainText('Sends: screens opened, features used.');
    await expect(page.getByRole('list', { name: 'Telemetry categories' })).not.toContainText('ui.screen_view');
    await usage.focus();
    await page.keyboard.press('Enter');
    await expect(usage).toHaveAttribute('aria-checked', 'true');
    // What the change did is said right under the switch, where the wearer looks.
    await expect(page.locator('li[data-category="usage"]').getByRole('status')).toHaveText('Usage is on.');
    // Saving never disables the switch natively: the focus is still on it, not on the page.
    await expect(page.locator(':focus')).toHaveAttribute('role', 'switch');
    await expect(usage).toBeFocused();
    await expect(usage).not.toHaveAttribute('disabled');

    await page.reload();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Privacy' }).click();
    await expect(page.getByRole('switch', { name: /^Usage/ })).toHaveAttribute('aria-checked', 'true');

    // Turning it off says what happens to what was collected, as the outbox has it: no receiver here.
    await expect(page.getByText('No receiver is configured: nothing leaves the headset.')).toBeVisible();
    await page.getByRole('switch', { name: /^Usage/ }).click();
    await expect(page.getByRole('status').filter({ hasText: 'a deletion request will be sent when a receiver is set' })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'deletion request was sent' })).toHaveCount(0);
    await page.getByRole('switch', { name: /^Hardware health/ }).click();
    await expect(page.getByRole('switch', { name: /^Hardware health/ })).toHaveAttribute('aria-checked', 'true');

    await page.setViewportSize({ width: 1280, height: 720 });
    await page
      .getByRole('status')
      .filter({ hasText: 'Hardware health is on.' })
      .evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'settings-privacy');
    const read = page.getByRole('button', { name: 'Read the privacy policy' });
    await read.click();
    const dialog = page.getByRole('dialog', { name: /Privacy policy/ });
    await expect(dialog.getByTestId('policy-text')).toContainText('Policy version: 1');
    await expect(dialog.getByTestId('policy-text').locator('table code', { hasText: 'gps.time_to_lock' })).toBeAttached();
    // The d-pad scrolls the policy box (focus stays in it); at its end focus stays in the dialog.
    const box = dialog.getByRole('region', { name: /Privacy policy text/ });
    await expect(box).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => box.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    await expect(box).toBeFocused();
    const afterOne = await box.evaluate((el) => el.scrollTop);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => box.evaluate((el) => el.scrollTop)).toBeGreaterThan(afterOne);
    await screenshot(page, 'settings-privacy-policy');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => box.evaluate((el) => el.scrollTop)).toBe(0);
    await expect(box).toBeFocused();
    // Nothing behind the dialog takes the focus: not the navigation rail on the left, not Tab.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(dialog.locator(':focus')).toHaveCount(1);
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(read).toBeFocused();
    await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Privacy' })).toHaveAttribute('aria-current', 'page');

    await first.stop();
    const second = await launchHeadsetd({ root: headsetRoot });
    await openUi(page, second);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Privacy' }).click();
    await expect(page.getByRole('switch', { name: /^Hardware health/ })).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByRole('switch', { name: /^Usage/ })).toHaveAttribute('aria-checked', 'false');
  });

  test.describe('setup at 1280 × 720', () => {
    test.use({ viewport: { width: 1280, height: 720 } });

    test('the title, intro and actions stay on screen; the policy opens over the step and Escape closes it', async ({ page, headsetd }) => {
      await openUi(page, headsetd);
      await enterThroughSetup(page, 'privacy');
      const heading = page.getByRole('heading', { name: 'Your privacy' });
      const save = page.getByRole('button', { name: 'Save and continue' });
      await expect(save).toBeFocused();
      await expect(heading).toBeInViewport({ ratio: 1 });
      await expect(page.getByText('Choose what this headset may send')).toBeInViewport({ ratio: 1 });
      await expect(save).toBeInViewport({ ratio: 1 });
      await expect(page.getByRole('switch', { name: /^Performance/ })).toBeInViewport();
      await screenshot(page, 'setup-privacy');

      // Walking the choices row by row keeps the title on screen: only the list scrolls, no row is skipped.
      const location = page.getByRole('switch', { name: /^Approximate location/ });
      await page.keyboard.press('ArrowUp');
      await expect(page.getByRole('switch', { name: /^Errors and crashes/ })).toBeFocused();
      await page.keyboard.press('ArrowRight');
      await expect(location).toBeFocused();
      await expect(location).toBeInViewport({ ratio: 0.99 });
      await expect(heading).toBeInViewport({ ratio: 1 });
      for (const name of [/^Usage/, /^Performance/]) {
        await page.keyboard.press('ArrowUp');
        await expect(page.getByRole('switch', { name })).toBeFocused();
      }
      await page.keyboard.press('ArrowUp');
      await expect(page.getByRole('button', { name: /^Read the privacy policy/ })).toBeFocused();
      await page.keyboard.press('ArrowDown');
      await expect(page.getByRole('switch', { name: /^Performance/ })).toBeFocused();
      for (const name of [/^Usage/, /^Approximate location/]) {
        await page.keyboard.press('ArrowDown');
        await expect(page.getByRole('switch', { name })).toBeFocused();
        await expect(page.getByRole('switch', { name })).toBeInViewport({ ratio: 0.99 });
      }
      await expect(heading).toBeInViewport({ ratio: 1 });

      const read = page.getByRole('button', { name: /^Read the privacy policy/ });
      await read.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: /Privacy policy/ });
      await expect(dialog).toBeVisible();
      const box = dialog.getByRole('region', { name: /Privacy policy text/ });
      await expect(box).toBeFocused();
      expect((await box.boundingBox())!.height).toBeGreaterThan(500);
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => box.evaluate((el) => el.scrollTop)).toBeGreaterThan(200);
      await expect(box).toBeFocused();
      await screenshot(page, 'setup-privacy-policy');

      // Escape closes the policy only: still the privacy step, the choices back, focus where it was.
      await page.keyboard.press('Escape');
      await expect(dialog).toHaveCount(0);
      await expect(heading).toBeInViewport({ ratio: 1 });
      await expect(read).toBeFocused();
      await expect(page.getByRole('switch')).toHaveCount(5);
    });

    test('when the privacy choices never arrive, the step says so after a while, with Back and Try again', async ({ page, headsetd }) => {
      // headsetd's answers about consent are held back: the subscription and any privacy.get.
      let hold = true;
      await page.routeWebSocket(/\/api$/, (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((message) => {
          const parsed = JSON.parse(String(message)) as { event?: string; method?: string };
          if (hold && (parsed.event === 'privacy.changed' || parsed.method === 'privacy.get')) return;
          server.send(message);
        });
      });
      await page.clock.install();
      await openUi(page, headsetd);
      await enterThroughSetup(page, 'privacy');
      await expect(page.getByRole('heading', { name: 'Your privacy' })).toBeVisible();
      await expect(page.getByRole('status').filter({ hasText: 'Loading the privacy choices' })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Back' })).toBeVisible();

      await page.clock.fastForward(11_000);
      await expect(page.getByRole('alert')).toContainText('did not arrive from the headset');
      await screenshot(page, 'setup-privacy-timeout');
      // Back goes to the step before privacy (restore from a backup).
      await page.getByRole('button', { name: 'Back' }).click();
      await expect(page.getByRole('heading', { name: 'Restore from a backup' })).toBeVisible();

      // Back to the step, still no answer: Try again asks headsetd directly; once it answers, the choices appear.
      await page.getByRole('button', { name: 'Start fresh' }).click();
      await page.clock.fastForward(11_000);
      hold = false;
      await page.getByRole('button', { name: 'Try again' }).click();
      await expect(page.getByRole('switch')).toHaveCount(5);
      await expect(page.getByRole('button', { name: 'Save and continue' })).toBeFocused();
      await page.getByRole('button', { name: 'Back' }).click();
      await expect(page.getByRole('heading', { name: 'Restore from a backup' })).toBeVisible();
    });
  });
});
