import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { OPERATOR_API } from '../src/fleet/operatorApi.js';
import { LICENSE_API } from '../src/fleet/licenseApi.js';
import { verifyLicenseFile } from '../src/licensing/licenseFile.js';
import { parsePublicKeyFile } from '../src/update/keys.js';
import { generateKeys } from '../main/operator/keys/signingKeys.js';
import { verifyEd25519 } from '../main/services/license/LicenseService.js';
import { fetchSender } from '../test-support/fleet/httpSender.js';
import { OperatorClient } from '../test-support/fleet/OperatorClient.js';
import { TestHeadset } from '../test-support/fleet/TestHeadset.js';
import { startBuiltFleetServer } from './fleetServer.js';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PASSWORD = 'three blue headsets dancing';
const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Licences in the dashboard against the built fleet server on PGlite, started with the vendor's
 * licence key: an admin issues two licences to an accepted headset (a pending one is not offered),
 * downloads the signed file and checks it with the vendor's public key, sees each state, and revokes
 * one; the signed revocation list names it.
 */
test.describe('Fleet dashboard: licences', () => {
  test.use({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });

  test('issue to an accepted headset, download the signed file, states, revoke with a confirmation', async ({ page }) => {
    test.setTimeout(240_000);
    const keys = await mkdtemp(join(tmpdir(), 'fleet-e2e-license-keys-'));
    await generateKeys(keys, ['license']);
    const server = await startBuiltFleetServer(['--license-key', join(keys, 'license.key')]);
    try {
      const send = fetchSender(server.url);
      const admin = new OperatorClient(send);
      await admin.login('admin', server.oneTimePassword!);
      expect((await admin.changePassword(server.oneTimePassword!, PASSWORD)).status).toBe(200);
      const accepted = new TestHeadset(send);
      const pending = new TestHeadset(send);
      await accepted.register();
      await pending.register();
      expect((await admin.post(OPERATOR_API.decision(accepted.deviceId, 'accept'), {})).status).toBe(200);

      await page.goto(server.url);
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Licences' }).click();
      await expect(page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Licences' })).toHaveAttribute('aria-current', 'page');
      await expect(page.getByText('No licence issued yet.')).toBeVisible();

      // Only accepted headsets are offered.
      const form = page.getByRole('region', { name: 'Issue a licence' });
      const headsets = form.getByRole('combobox', { name: /^Headset/ });
      await expect(headsets.locator('option', { hasText: accepted.deviceId })).toHaveCount(1);
      await expect(headsets.locator('option', { hasText: pending.deviceId })).toHaveCount(0);

      const issue = async (licensee: string, features: string, endsInDays: number) => {
        await headsets.selectOption(accepted.deviceId);
        await form.getByLabel('Licensee').fill(licensee);
        await form.getByLabel('Features').fill(features);
        await form.getByLabel('Ends').fill(isoDay(Date.now() + endsInDays * DAY));
        await form.getByLabel('Grace days after the end').fill('14');
        await form.getByRole('button', { name: 'Issue licence' }).click();
        await expect(page.getByTestId('license-issued')).toContainText(/Issued HC-/);
        await expect(page.locator('tr', { hasText: licensee })).toHaveCount(1);
      };
      await issue('Example Clinic', 'tracks, remote-support', 200);

      // The file offered is the signed licence for that headset, under the name the headset looks for.
      const downloading = page.waitForEvent('download');
      await page.getByTestId('license-issued').getByRole('link', { name: 'Download the licence file' }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toMatch(/^HC-[0-9a-f-]+\.hclicense$/);
      const vendorKey = parsePublicKeyFile(await readFile(join(keys, 'license.pub'), 'utf8'));
      const license = verifyLicenseFile(await readFile((await download.path())!, 'utf8'), vendorKey, verifyEd25519);
      expect(license).toMatchObject({
        licensee: 'Example Clinic',
        binding: { kind: 'device', deviceId: accepted.deviceId },
        features: ['remote-support', 'tracks'],
        graceDays: 14,
      });

      await issue('Harbour Labs', '', 10);
      const clinic = page.locator('tr', { hasText: 'Example Clinic' });
      const labs = page.locator('tr', { hasText: 'Harbour Labs' });
      await expect(clinic.getByTestId('license-state')).toHaveText('Licensed');
      await expect(clinic).toContainText('tracks');
      await expect(clinic).toContainText(/in (199|200) days/);
      await expect(labs.getByTestId('license-state')).toHaveText('Ends soon');
      await expect(labs).toContainText('None');
      await page.screenshot({ path: `${SCREENSHOTS}fleet-licenses.png`, fullPage: true });

      // Revoke asks first; Keep it changes nothing.
      await clinic.getByRole('button', { name: 'Revoke' }).click();
      const confirm = page.getByRole('alertdialog', { name: "Revoke Example Clinic's licence?" });
      await expect(confirm).toBeVisible();
      await page.screenshot({ path: `${SCREENSHOTS}fleet-licenses-revoke.png`, fullPage: true });
      await confirm.getByRole('button', { name: 'Keep it' }).click();
      await expect(confirm).toHaveCount(0);
      await expect(clinic.getByTestId('license-state')).toHaveText('Licensed');
      await clinic.getByRole('button', { name: 'Revoke' }).click();
      await confirm.getByRole('button', { name: 'Revoke the licence' }).click();
      await expect(clinic.getByTestId('license-state')).toHaveText('Revoked');
      await expect(clinic).toContainText('by admin');
      await expect(clinic.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
      await expect(page.getByRole('status')).toContainText(`Revoked ${license.serial}. Revocation list version`);
      await expect(labs.getByTestId('license-state')).toHaveText('Ends soon');

      // The signed list anyone fetches names the revoked serial, and only it.
      const list = JSON.parse((await send({ method: 'GET', url: LICENSE_API.revocations })).text) as { list: { serials: string[] } };
      expect(list.list.serials).toEqual([license.serial]);
      // The page as a reload finds it: the state comes from the server.
      await page.reload();
      await expect(page.locator('tr', { hasText: 'Example Clinic' }).getByTestId('license-state')).toHaveText('Revoked');
    } finally {
      await server.remove();
      await rm(keys, { recursive: true, force: true });
    }
  });
});
