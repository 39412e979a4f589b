import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, openUi, test } from './fixtures.js';
import { arrowTo, expectLargeTargets, focusWithArrows } from './keyboardNavigation.js';
import { screenshotsAtPanelSizes } from './layoutCheck.js';

/**
 * The setup's name and formats are the wearer's profile, and Settings, You changes them later, with
 * the keys only: formats and a name in setup, the PIN skipped (Done says "skipped", not "done"),
 * then Settings, You: another name and other formats, kept across a restart, the file encrypted.
 */

const indicator = (page: Page) => page.getByTestId('setup-indicator');
const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

test.describe('the wearer’s profile, keyboard only', () => {
  test('setup with the PIN skipped, then Settings, You changes the name and the formats', async ({ page, headsetRoot, launchHeadsetd }) => {
    test.setTimeout(180_000);
    const first = await launchHeadsetd();
    await openUi(page, first);

    // Formats: the United Kingdom's.
    await expect(page.getByTestId('setup-language-continue')).toBeFocused();
    await arrowTo(page, page.getByTestId('locale-en-GB'));
    await page.keyboard.press('Enter');
    await arrowTo(page, page.getByTestId('setup-language-continue'));
    await page.keyboard.press('Enter');
    // Network: on the cable, Continue.
    await expect(page.getByTestId('setup-network-continue')).toBeFocused();
    await page.keyboard.press('Enter');
    // The name, then the PIN skipped.
    await expect(page.getByTestId('setup-name')).toBeFocused();
    await page.keyboard.type('Ada');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('setup-pin-skip')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(indicator(page)).toContainText('Step 4 of 8: Restore');
    // The account step ended skipped: a hollow dot with a dash, not a tick.
    await expect(indicator(page).locator('.setup-dot-skipped')).toHaveCount(1);
    await expect(indicator(page).locator('.setup-dot-done')).toHaveCount(2);
    await page.keyboard.press('Enter'); // Start fresh
    await expect(page.getByRole('button', { name: 'Save and continue' })).toBeFocused();
    await page.keyboard.press('Enter');
    // The licence: skipped.
    await expect(page.getByTestId('setup-license-skip')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('setup-update-skip')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'All set, Ada' })).toBeVisible();
    const summary = page.getByTestId('setup-summary');
    await expect(summary).toContainText('Language: done');
    await expect(summary).toContainText('You: skipped (later in Settings, You (the name) and Lock (the PIN))');
    await screenshotsAtPanelSizes(page, 'setup-done-pin-skipped');
    await expect(page.getByTestId('setup-finish')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('[data-mode="settings"]')).toBeVisible();

    // Settings, You: what setup chose.
    const you = nav(page).getByRole('button', { name: 'You', exact: true });
    await focusWithArrows(page, you);
    await page.keyboard.press('Enter');
    await expect(you).toHaveAttribute('aria-current', 'page');
    const name = page.getByTestId('profile-name');
    await expect(name).toHaveValue('Ada');
    await expect(page.getByTestId('profile-locale-en-GB')).toHaveAttribute('aria-checked', 'true');
    await expectLargeTargets(page);
    await screenshotsAtPanelSizes(page, 'profile');

    // Another name: into the field with the arrows, the old one deleted, Enter saves.
    await focusWithArrows(page, name);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('Grace');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('profile-said')).toHaveText('Saved: the headset calls you Grace.');
    // Other formats: India's, applied at once.
    const india = page.getByTestId('profile-locale-en-IN');
    await arrowTo(page, india);
    await page.keyboard.press('Enter');
    await expect(india).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByTestId('profile-said')).toHaveText('Dates and numbers are now written as in India.');
    await screenshotsAtPanelSizes(page, 'profile-changed');

    // Kept across a restart; on disk only encrypted.
    await first.stop();
    const second = await launchHeadsetd();
    await openUi(page, second);
    await focusWithArrows(page, you);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('profile-name')).toHaveValue('Grace');
    await expect(page.getByTestId('profile-locale-en-IN')).toHaveAttribute('aria-checked', 'true');
    const onDisk = await readFile(join(headsetRoot, 'data', 'profile', 'wearer.json'));
    expect(onDisk.toString('latin1')).not.toContain('Grace');
  });
});
