import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, openUi, readBuildInfo, readIdentity, test, waitForLiveHome } from './fixtures.js';
import { focusWithArrows } from './keyboardNavigation.js';
import { PANEL_MAIN, screenshotsAtPanelSizes } from './layoutCheck.js';

test.use({ mode: 'settings' });

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

test.describe('About', () => {
  test('says what the headset is, its support code as text and QR code, its versions, and opens the policy and the notices', async ({
    page,
    headsetd,
  }) => {
    const identity = await readIdentity(headsetd.root);
    const build = await readBuildInfo();
    const serial = (await readFile(join(headsetd.root, 'hardware', 'product_serial'), 'utf8')).trim();
    await page.setViewportSize(PANEL_MAIN);
    await openUi(page, headsetd);
    await waitForLiveHome(page);

    // With the keys, as a controller would: About is in the side menu.
    const entry = nav(page).getByRole('button', { name: 'About' });
    await focusWithArrows(page, entry);
    await page.keyboard.press('Enter');
    await expect(entry).toHaveAttribute('aria-current', 'page');

    await expect(page.getByTestId('about-model')).toHaveText(/^HC-1-simulated\s*Simulated$/);
    await expect(page.getByTestId('about-serial')).toHaveText(serial);
    await expect(page.getByTestId('about-device-id')).toHaveText(identity.deviceId);
    await expect(page.getByTestId('support-code')).toHaveText(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const code = await page.getByTestId('support-code').textContent();
    await expect(page.getByTestId('support-qr')).toHaveAttribute('aria-label', `QR code of the support code ${code}`);
    // The symbol is drawn: dark modules on a light square.
    expect((await page.getByTestId('support-qr').locator('path').getAttribute('d'))!.split('z').length).toBeGreaterThan(100);
    await expect(page.getByTestId('about-system')).toHaveText(`System ${build.version}`);
    await expect(page.getByTestId('about-app-version')).toHaveText(build.version);
    await expect(page.getByTestId('about-build')).toHaveText(/^Made /);
    // What only support reads waits under "Technical details".
    await expect(page.getByTestId('about-commit')).toBeHidden();
    await screenshotsAtPanelSizes(page, 'about');
    await page.setViewportSize(PANEL_MAIN);
    const technical = page.getByText('Technical details');
    await focusWithArrows(page, technical);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('about-commit')).toHaveText(build.commit);
    await expect(page.getByTestId('about-public-key')).toContainText(identity.publicKey);
    await expect(page.getByTestId('about-boot-order')).toHaveText('slot A');

    // The privacy policy, over the screen; Escape comes back to the button.
    const policy = page.getByRole('button', { name: 'Read the privacy policy' });
    await focusWithArrows(page, policy);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /Privacy policy, version \d+/ });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Back to About (Escape)' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(policy).toBeFocused();

    // The open-source notices, made from the dependency tree at build time.
    const show = page.getByRole('button', { name: 'Show the open-source notices' });
    await focusWithArrows(page, show);
    await page.keyboard.press('Enter');
    const notices = page.getByTestId('open-source-notices');
    await expect(notices).toContainText(/Built with \d+ open-source packages/);
    const react = notices.locator('details', { hasText: /^react \d+\.\d+\.\d+ · MIT/ });
    await expect(react).toHaveCount(1);
    await react.locator('summary').focus();
    await page.keyboard.press('Enter');
    await expect(react.locator('.oss-notice-text')).toContainText('Permission is hereby granted');
    await expect(notices.locator('summary', { hasText: /^uqr / })).toHaveCount(1);
    await expect(notices.locator('summary', { hasText: /^electron / })).toHaveCount(1);
    await screenshotsAtPanelSizes(page, 'about-notices');
  });
});
