import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { generateKeys, loadSigningKey } from '../main/operator/keys/signingKeys.js';
import { licenseOf, signLicense } from '../main/operator/license/licenseIssuer.js';
import { enterThroughSetup, expect, openUi, readIdentity, test } from './fixtures.js';
import { arrowTo, expectLargeTargets } from './keyboardNavigation.js';
import { PANEL_MAIN, screenshotsAtPanelSizes } from './layoutCheck.js';

/**
 * The setup wizard's licence step, keys only: Not licensed with Skip focused; skipped and come back
 * with Escape; Install with no stick says what to do; the stick's licence installed: Licensed, Continue
 * focused; the summary and About say so.
 */

const DAY = 86_400_000;
const indicator = (page: Page) => page.getByTestId('setup-indicator');
const heading = (page: Page) => page.getByRole('heading', { name: 'Licence', exact: true });

test.describe('Setup: licence step, keyboard only', () => {
  test.use({ viewport: PANEL_MAIN });

  test('skip and come back, no stick, then the licence from the USB stick; the summary and About', async ({ page, headsetd }) => {
    test.setTimeout(180_000);
    // The vendor's licence key in the headset's trust folder; a licence for this headset, not yet on a stick.
    const keys = await mkdtemp(join(tmpdir(), 'e2e-setup-license-keys-'));
    let text: string;
    try {
      await generateKeys(keys, ['license']);
      await mkdir(join(headsetd.root, 'persist', 'trust'), { recursive: true });
      await copyFile(join(keys, 'license.pub'), join(headsetd.root, 'persist', 'trust', 'license.pub'));
      const { deviceId } = await readIdentity(headsetd.root);
      const vendor = await loadSigningKey(join(keys, 'license.key'));
      text = signLicense(
        vendor,
        licenseOf({
          licensee: 'Example Clinic',
          binding: { kind: 'device', deviceId },
          features: ['remote-support', 'tracks'],
          notBefore: new Date(Date.now() - 10 * DAY),
          expiresAt: new Date(Date.now() + 300 * DAY),
          graceDays: 14,
        }),
      );
      vendor.dispose();
    } finally {
      await rm(keys, { recursive: true, force: true });
    }
    await rm(join(headsetd.root, 'usb'), { recursive: true, force: true });

    await openUi(page, headsetd);
    await enterThroughSetup(page, 'license');
    await expect(indicator(page)).toContainText('Step 6 of 8: Licence');
    await expect(heading(page)).toBeVisible();
    await expect(page.getByTestId('setup-license-state')).toContainText('Not licensed');
    await expect(page.getByTestId('setup-license-skip')).toBeFocused();
    await expectLargeTargets(page);
    await screenshotsAtPanelSizes(page, 'setup-license');

    // Skip moves on and is journaled; Escape comes back to the step.
    await page.keyboard.press('Enter');
    await expect(indicator(page)).toContainText('Step 7 of 8: Updates');
    await expect(indicator(page).locator('.setup-dot').nth(5)).toHaveClass(/setup-dot-skipped/);
    await page.keyboard.press('Escape');
    await expect(heading(page)).toBeVisible();
    await expect(page.getByTestId('setup-license-skip')).toBeFocused();

    // No stick: the step says what to do; the code is under Details; Skip and Try again stay.
    const install = page.getByTestId('setup-license-install');
    await arrowTo(page, install);
    await page.keyboard.press('Enter');
    const problem = page.getByTestId('setup-license-problem');
    await expect(problem).toContainText('Put exactly one licence file');
    await expect(problem).toContainText('LICENSE_NOT_FOUND');
    await expect(install).toHaveText('Try again');
    await expect(install).toBeFocused();
    // The details for support open with the arrows and Enter too; then back to Try again.
    const details = problem.locator('summary');
    await arrowTo(page, details);
    await page.keyboard.press('Enter');
    await expect(problem.locator('details')).toHaveAttribute('open', '');
    await page.keyboard.press('Enter');
    await expect(problem.locator('details')).not.toHaveAttribute('open', '');
    await arrowTo(page, install);
    await // The focused Try again in sight: the reason shows above it.
    await screenshotsAtPanelSizes(page, 'setup-license-no-stick', { inSight: install });

    // The stick with the licence: installed, the state as on the License screen, Continue takes the focus.
    await mkdir(join(headsetd.root, 'usb'), { recursive: true });
    await writeFile(join(headsetd.root, 'usb', 'clinic.hclicense'), text);
    await page.keyboard.press('Enter');
    const state = page.getByTestId('setup-license-state');
    await expect(state).toContainText('Licensed');
    await expect(state).toContainText(/Valid for (299|300) days more\./);
    await expect(state).toContainText('For Example Clinic');
    await expect(page.getByTestId('setup-license-installed')).toHaveText('Licence installed.');
    await expect(problem).toHaveCount(0);
    const next = page.getByTestId('setup-license-continue');
    await expect(next).toBeFocused();
    await expectLargeTargets(page);
    await screenshotsAtPanelSizes(page, 'setup-license-installed');

    // Back to privacy with Escape and forward again: the step opens on Continue now there is a licence.
    await page.keyboard.press('Escape');
    await expect(page.getByRole('heading', { name: 'Your privacy' })).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(next).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(indicator(page)).toContainText('Step 7 of 8: Updates');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('setup-summary')).toContainText('Licence: done');
    await enterThroughSetup(page);

    const about = page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'About' });
    await arrowTo(page, about);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('about-license')).toContainText('Licensed. Valid for');
  });
});
