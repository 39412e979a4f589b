import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, openUi, test } from './fixtures.js';
import { expectLargeTargets, focusWithArrows } from './keyboardNavigation.js';
import { PANEL_MAIN, screenshotsAtPanelSizes } from './layoutCheck.js';

const PASSPHRASE = 'e2e backup passphrase 4711';
const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

async function screenshots(page: Page, name: string, inSight?: Locator): Promise<void> {
  await screenshotsAtPanelSizes(page, name, inSight);
}

test.describe('Backup & reset', () => {
  test('back up to the USB stick with a passphrase, see it listed and checked, restore App data from it', async ({
    page,
    headsetRoot,
    launchHeadsetd,
  }) => {
    test.setTimeout(240_000);
    // The wearer's data, and a USB stick plugged in (the simulated headset's usb/ folder).
    const data = join(headsetRoot, 'data');
    await mkdir(join(data, 'apps', 'game'), { recursive: true });
    await mkdir(join(data, 'profile'), { recursive: true });
    await writeFile(join(data, 'apps', 'game', 'save.bin'), 'level 12, 3 lives');
    await writeFile(join(data, 'profile', 'comfort.json'), '{"ipd":63.5}');
    await mkdir(join(headsetRoot, 'usb'), { recursive: true });
    const headsetd = await launchHeadsetd({ mode: 'settings' });
    await page.setViewportSize(PANEL_MAIN);
    await openUi(page, headsetd);

    await nav(page).getByRole('button', { name: 'Backup & reset' }).click();
    await expect(page.getByRole('heading', { name: 'Backup & reset' })).toBeVisible();
    await expect(page.getByTestId('backup-none')).toHaveText('No backups yet.');
    const backUpPanel = page.getByRole('region', { name: 'Back up now' });
    await expect(backUpPanel.getByRole('button', { name: 'USB stick' })).toHaveAttribute('aria-pressed', 'true');
    await expect(backUpPanel.getByRole('button', { name: /^Cloud/ })).toHaveAttribute('aria-disabled', 'true');
    await expect(backUpPanel.getByRole('button', { name: 'App data' })).toHaveAttribute('aria-pressed', 'true');
    await expectLargeTargets(page);
    await screenshots(page, 'backup-start');

    // The passphrase field and Back up now, with the keys.
    const field = backUpPanel.getByLabel('Passphrase');
    await focusWithArrows(page, field);
    await page.keyboard.type(PASSPHRASE);
    // Tab goes on from the field to Back up now.
    const backUp = backUpPanel.getByRole('button', { name: 'Back up now' });
    await page.keyboard.press('Tab');
    await expect(backUp).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(field).toHaveValue('');
    await expect(page.getByTestId('backup-result')).toContainText('to USB stick, and checked.', { timeout: 60_000 });
    const list = page.getByTestId('backup-list');
    await expect(list.getByRole('row')).toHaveCount(2);
    await expect(list.getByRole('row').nth(1)).toContainText('USB stick');
    await expect(list.getByRole('row').nth(1)).toContainText(/Checked /);
    await screenshots(page, 'backup-done', list);

    // The save changes on the headset; App data comes back from the stick.
    await writeFile(join(data, 'apps', 'game', 'save.bin'), 'level 1, game over');
    const restorePanel = page.getByRole('region', { name: 'Restore from a backup' });
    await restorePanel.getByRole('button', { name: 'App data' }).click();
    await restorePanel.getByLabel('Passphrase').fill(PASSPHRASE);
    await restorePanel.getByRole('button', { name: 'Restore' }).click();
    await expect(restorePanel).toContainText('App data will be replaced by the backup’s copy.');
    await screenshots(page, 'backup-restore-confirm', restorePanel.getByRole('group', { name: 'Confirm the restore' }));
    await restorePanel.getByRole('button', { name: 'Replace with the backup' }).click();
    await expect(page.getByTestId('restore-result')).toContainText('Restored App data', { timeout: 60_000 });
    expect(await readFile(join(data, 'apps', 'game', 'save.bin'), 'utf8')).toBe('level 12, 3 lives');
    await screenshots(page, 'backup-restored', page.getByTestId('restore-result'));

    // A wrong passphrase is said in plain words (App data is still chosen).
    await expect(restorePanel.getByRole('button', { name: 'App data' })).toHaveAttribute('aria-pressed', 'true');
    await restorePanel.getByLabel('Passphrase').fill('not the passphrase');
    await restorePanel.getByRole('button', { name: 'Restore' }).click();
    await restorePanel.getByRole('button', { name: 'Replace with the backup' }).click();
    await expect(page.getByTestId('restore-error')).toHaveText('The passphrase does not open this backup.', { timeout: 30_000 });
    expect(await readFile(join(data, 'apps', 'game', 'save.bin'), 'utf8')).toBe('level 12, 3 lives');
  });
});
