import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SCREENSHOTS, completeSetup, expect, openUi, test } from './fixtures.js';

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

const consentFile = (root: string) => join(root, 'data', 'headsetd', 'privacy-consent.json');

/** Moves focus with `keys`, pressed in turn, until `target` has it (at most `limit` presses). */
async function focusWith(page: Page, keys: string[], target: ReturnType<Page['getByRole']>, limit = 20): Promise<void> {
  for (let i = 0; i < limit && !(await target.evaluate((el) => el === el.ownerDocument.activeElement)); i++) await page.keyboard.press(keys[i % keys.length]!);
  await expect(target).toBeFocused();
}

test.describe('privacy', () => {
  test.use({ viewport: { width: 1600, height: 900 } });

  test('setup asks before finishing: everything optional off, essential locked on; keys alone choose', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Your privacy' })).toBeVisible();
    const switches = page.getByRole('switch');
    await expect(switches).toHaveCount(5);
    for (const s of await switches.all()) await expect(s).toHaveAttribute('aria-checked', 'false');
    await expect(page.getByRole('group', { name: /Essential update information: always on/ })).toContainText('Always on');
    await expect(page.getByRole('button', { name: 'Save and continue' })).toBeFocused();
    await screenshot(page, 'setup-privacy');

    // Keyboard only: up to the errors switch, Enter turns it on, down to save.
    const errors = page.getByRole('switch', { name: /^Errors and crashes/ });
    // From Save: up to location, up to usage, left to hardware, down to errors.
    await focusWith(page, ['ArrowUp', 'ArrowUp', 'ArrowLeft', 'ArrowDown'], errors, 4);
    await page.keyboard.press('Enter');
    await expect(errors).toHaveAttribute('aria-checked', 'true');
    const save = page.getByRole('button', { name: 'Save and continue' });
    await focusWith(page, ['ArrowDown'], save, 2);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'All set' })).toBeVisible();
    const saved = JSON.parse(await readFile(consentFile(headsetd.root), 'utf8')) as { policyVersion: number; decidedAt: string; granted: Record<string, boolean> };
    expect(saved).toMatchObject({ policyVersion: 1, granted: { essential: true, errors: true, usage: false, location: false, performance: false, hardware: false } });
    await page.keyboard.press('Enter');

    await expect(page.locator('[data-mode="settings"]')).toBeVisible();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Privacy' }).click();
    await expect(page.getByRole('switch', { name: /^Errors and crashes/ })).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByRole('switch', { name: /^Usage/ })).toHaveAttribute('aria-checked', 'false');
  });

  test('a switch on the Privacy screen persists across a reload and a restart of headsetd; the policy is readable', async ({ page, headsetRoot, launchHeadsetd }) => {
    const first = await launchHeadsetd();
    await openUi(page, first);
    await completeSetup(page);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Privacy' }).click();
    const usage = page.getByRole('switch', { name: /^Usage/ });
    await expect(usage).toHaveAttribute('aria-checked', 'false');
    await usage.focus();
    await page.keyboard.press('Enter');
    await expect(usage).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByRole('status').filter({ hasText: 'Usage is on.' })).toBeVisible();

    await page.reload();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Privacy' }).click();
    await expect(page.getByRole('switch', { name: /^Usage/ })).toHaveAttribute('aria-checked', 'true');

    // Turning it off says what happens to what was collected.
    await page.getByRole('switch', { name: /^Usage/ }).click();
    await expect(page.getByRole('status').filter({ hasText: 'deletion request was sent' })).toBeVisible();
    await page.getByRole('switch', { name: /^Hardware health/ }).click();
    await expect(page.getByRole('switch', { name: /^Hardware health/ })).toHaveAttribute('aria-checked', 'true');

    await page.getByRole('button', { name: 'Read the privacy policy' }).click();
    await expect(page.getByTestId('policy-text')).toContainText('Policy version: 1');
    await expect(page.getByTestId('policy-text').locator('table code', { hasText: 'gps.time_to_lock' })).toBeVisible();
    await screenshot(page, 'settings-privacy');

    await first.stop();
    const second = await launchHeadsetd({ root: headsetRoot });
    await openUi(page, second);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Privacy' }).click();
    await expect(page.getByRole('switch', { name: /^Hardware health/ })).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByRole('switch', { name: /^Usage/ })).toHaveAttribute('aria-checked', 'false');
  });
});
