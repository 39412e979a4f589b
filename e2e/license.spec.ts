import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { generateKeys, loadSigningKey } from '../main/operator/keys/signingKeys.js';
import { licenseOf, signLicense } from '../main/operator/license/licenseIssuer.js';
import { completeSetup, expect, openUi, readIdentity, test, waitForLiveHome } from './fixtures.js';
import { focusWithArrows } from './keyboardNavigation.js';
import { PANEL_MAIN, screenshotsAtPanelSizes } from './layoutCheck.js';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });
const DAY = 86_400_000;

test.describe('License', () => {
  test('Not licensed, then a licence from the USB stick with the keyboard: Licensed, days left as a timeline, features; the state in About', async ({
    page,
    headsetd,
  }) => {
    // The vendor's licence key in the simulated headset's trust folder, a licence for this headset on its stick.
    const keys = await mkdtemp(join(tmpdir(), 'e2e-license-keys-'));
    try {
      await generateKeys(keys, ['license']);
      await mkdir(join(headsetd.root, 'persist', 'trust'), { recursive: true });
      await copyFile(join(keys, 'license.pub'), join(headsetd.root, 'persist', 'trust', 'license.pub'));
      const { deviceId } = await readIdentity(headsetd.root);
      const vendor = await loadSigningKey(join(keys, 'license.key'));
      const text = signLicense(
        vendor,
        licenseOf({
          licensee: 'Example Clinic',
          binding: { kind: 'device', deviceId },
          features: ['remote-support', 'tracks'],
          notBefore: new Date(Date.now() - 100 * DAY),
          expiresAt: new Date(Date.now() + 200 * DAY),
          graceDays: 14,
        }),
      );
      vendor.dispose();
      await page.setViewportSize(PANEL_MAIN);
      await openUi(page, headsetd);
      await completeSetup(page);
      await waitForLiveHome(page);

      const entry = nav(page).getByRole('button', { name: 'License' });
      await focusWithArrows(page, entry);
      await page.keyboard.press('Enter');
      await expect(entry).toHaveAttribute('aria-current', 'page');
      await expect(page.getByTestId('license-state')).toHaveText('Not licensed');

      // No stick yet: the screen says what to do, with the code under Details.
      await rm(join(headsetd.root, 'usb'), { recursive: true, force: true });
      const install = page.getByTestId('license-install-usb');
      await focusWithArrows(page, install);
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('license-problem')).toContainText('Put exactly one licence file');
      // The picture shows what the wearer reads after pressing: the answer under the button.
      await page.getByTestId('license-problem').scrollIntoViewIfNeeded();
      await screenshotsAtPanelSizes(page, 'license-not-licensed');

      await mkdir(join(headsetd.root, 'usb'), { recursive: true });
      await writeFile(join(headsetd.root, 'usb', 'clinic.hclicense'), text);
      await focusWithArrows(page, install);
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('license-state')).toHaveText('Licensed');
      await expect(page.getByTestId('license-detail')).toHaveText(/Valid for 20[01] days more\./);
      await expect(page.getByTestId('license-timeline')).toBeVisible();
      await expect(page.getByTestId('license-features')).toContainText('tracks');
      const box = await install.boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(48);
      await screenshotsAtPanelSizes(page, 'license-active');

      const about = nav(page).getByRole('button', { name: 'About' });
      await focusWithArrows(page, about);
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('about-license')).toContainText('Licensed. Valid for');
    } finally {
      await rm(keys, { recursive: true, force: true });
    }
  });
});
