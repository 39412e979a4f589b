import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { enterThroughSetup, expect, openUi, test } from './fixtures.js';
import { focusWithArrows } from './keyboardNavigation.js';
import { PANEL_MAIN, screenshotsAtPanelSizes } from './layoutCheck.js';

const PASSPHRASE = 'e2e reset passphrase 0815';
const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

async function screenshots(page: Page, name: string, inSight?: Locator): Promise<void> {
  await screenshotsAtPanelSizes(page, name, inSight);
}

/** Reaches a control with the keys only: Tab through the screen (text fields keep the arrows for their text). */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let i = 0; i < 80 && !(await target.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(target).toBeFocused();
}

async function press(page: Page, target: Locator): Promise<void> {
  await tabTo(page, target);
  await page.keyboard.press('Enter');
}

/** The checks that failed in the sanitization records on the persist partition (the wipe's own verdict, named). */
async function failedChecks(headsetRoot: string): Promise<unknown[]> {
  const folder = join(headsetRoot, 'persist', 'reset', 'records');
  const failed: unknown[] = [];
  for (const name of await readdir(folder)) {
    if (!name.endsWith('.json')) continue;
    const signed = JSON.parse(await readFile(join(folder, name), 'utf8')) as { record: { checks: Array<{ passed: boolean }> } };
    failed.push(...signed.record.checks.filter((c) => !c.passed));
  }
  return failed;
}

test.describe('Factory reset', () => {
  test("back up to the stick, factory reset with the keys, straight into the setup wizard's Restore step, restore there: the data is back", async ({
    page,
    headsetRoot,
    launchHeadsetd,
  }) => {
    test.setTimeout(300_000);
    const data = join(headsetRoot, 'data');
    await mkdir(join(data, 'apps', 'game'), { recursive: true });
    await writeFile(join(data, 'apps', 'game', 'save.bin'), 'level 12, 3 lives');
    await mkdir(join(headsetRoot, 'usb'), { recursive: true });
    const first = await launchHeadsetd({ mode: 'settings' });
    await page.setViewportSize(PANEL_MAIN);
    await openUi(page, first);

    await press(page, nav(page).getByRole('button', { name: 'Backup & reset' }));
    const backUpPanel = page.getByRole('region', { name: 'Back up now' });
    await focusWithArrows(page, backUpPanel.getByLabel('Passphrase'));
    await page.keyboard.type(PASSPHRASE);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('backup-result')).toContainText('to USB stick, and checked.', { timeout: 90_000 });

    // The reset: everything, what goes and what stays, the reason folded, then the question.
    const reset = page.getByRole('region', { name: 'Reset' });
    await press(page, reset.getByTestId('reset-scope-everything'));
    const plan = reset.getByTestId('reset-plan');
    await expect(plan).toContainText('App data');
    await expect(plan).toContainText('Calibration: it belongs to the hardware');
    await expect(plan).toContainText('Device identity');
    await screenshots(page, 'reset-plan', plan);
    await press(page, reset.getByTestId('reset-start'));
    const question = reset.getByTestId('reset-confirm');
    await expect(question).toContainText('This cannot be undone.');
    await expect(reset.getByTestId('reset-confirm-yes')).toBeFocused();
    await screenshots(page, 'reset-confirm', question);
    await page.keyboard.press('Enter');

    // The wipe ends by stopping headsetd (the simulated headset's power-off); it comes back on the same address.
    await expect.poll(() => first.log(), { timeout: 60_000 }).toMatch(/reset done; restarting/);
    await first.stop();
    const second = await launchHeadsetd({ port: first.port, token: first.token });
    await expect(page.locator('[data-mode="setup"]')).toBeVisible({ timeout: 60_000 });
    await screenshots(page, 'reset-setup');
    await expect(readFile(join(data, 'apps', 'game', 'save.bin'), 'utf8')).rejects.toThrow();

    // Straight from the reset into the wizard's Restore step (language, network and the wearer passed
    // with Enter), the backup on the stick restored there with the keys: the data is back.
    // (The page stayed open through the restart: the first step's focus is on a format, so Tab to Continue first.)
    await tabTo(page, page.getByRole('button', { name: 'Continue' }));
    await enterThroughSetup(page, 'restore');
    await expect(page.getByRole('button', { name: 'Start fresh' })).toBeFocused();
    await press(page, page.getByTestId('setup-restore-usb'));
    await focusWithArrows(page, page.getByLabel('Passphrase'));
    await page.keyboard.type(PASSPHRASE);
    await page.keyboard.press('Enter');
    const backups = page.getByTestId('setup-backups');
    await expect(backups.getByRole('radio')).toHaveCount(1, { timeout: 60_000 });
    await expect(backups.getByRole('radio').first()).toBeFocused();
    await expect(page.getByRole('button', { name: 'App data' })).toHaveAttribute('aria-pressed', 'true');
    await press(page, page.getByTestId('setup-restore-run'));
    await expect(page.getByTestId('setup-restore-result')).toContainText('Restored', { timeout: 90_000 });
    expect(await readFile(join(data, 'apps', 'game', 'save.bin'), 'utf8')).toBe('level 12, 3 lives');
    await screenshots(page, 'reset-setup-restored', page.getByTestId('setup-restore-result'));
    await expect(page.getByTestId('setup-restore-continue')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('main.wizard')).toHaveAttribute('data-step', 'privacy');
    // The rest of the wizard, then Settings: the restored data stays.
    await enterThroughSetup(page);
    expect(await readFile(join(data, 'apps', 'game', 'save.bin'), 'utf8')).toBe('level 12, 3 lives');
    await press(page, nav(page).getByRole('button', { name: 'Backup & reset' }));
    // The reset's record is listed under Last resets.
    await expect(page.getByTestId('reset-records')).toContainText('Everything (factory reset)');
    expect(await failedChecks(headsetRoot), 'the checks of the sanitization record that failed').toEqual([]);
    await expect(page.getByTestId('reset-records')).toContainText('Verified: nothing left');
    await screenshots(page, 'reset-records', page.getByTestId('reset-records'));
    await second.stop();
  });
});
