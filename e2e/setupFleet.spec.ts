import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Page } from '@playwright/test';
import { OPERATOR_API } from '../src/fleet/operatorApi.js';
import { fetchSender } from '../test-support/fleet/httpSender.js';
import { OperatorClient } from '../test-support/fleet/OperatorClient.js';
import { connectApi } from './api.js';
import { expect, openUi, readIdentity, test } from './fixtures.js';
import { startBuiltFleetServer } from './fleetServer.js';
import { arrowTo, focusWithArrows } from './keyboardNavigation.js';
import { screenshotsAtPanelSizes } from './layoutCheck.js';

/**
 * The fleet registration's seam in the guided setup: a headset given a fleet server (--fleet-url)
 * and no network starts setup offline; once the wearer joins a Wi-Fi network in the network step it
 * asks the server to manage it by itself, and Done says it waits for an administrator; once an
 * operator accepts it, Done (and About after Finish) says it is managed. Keys only.
 */

const WIFI_PASSWORD = 'fleet-e2e-Setup-7788';
const AIR = [{ ssid: 'Depot Wi-Fi', signal: 77, security: 'wpa2-personal', password: WIFI_PASSWORD }];

async function writeInput(root: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

const indicator = (page: Page) => page.getByTestId('setup-indicator');

test.describe('Guided setup with a fleet server', () => {
  test('offline at first; after the Wi-Fi join it registers by itself, Done waits for the administrator, then says managed', async ({
    page,
    headsetRoot,
    launchHeadsetd,
  }) => {
    // PGlite's first start can take 20-40 s on a loaded machine.
    test.setTimeout(300_000);
    const fleet = await startBuiltFleetServer();
    try {
      const server = new URL(fleet.url).host;
      await writeInput(headsetRoot, 'network/air.json', JSON.stringify(AIR));
      // No cable: the headset is offline until the wearer joins the Wi-Fi network.
      await writeInput(headsetRoot, 'network/state', 'offline\n');
      const headsetd = await launchHeadsetd({ fleetUrl: fleet.url });
      const { deviceId } = await readIdentity(headsetRoot);
      await openUi(page, headsetd);

      const status = async () => {
        const api = await connectApi(headsetd);
        try {
          return await api.call('registration.status');
        } finally {
          api.close();
        }
      };
      await expect.poll(async () => (await status()).state, { timeout: 30_000 }).toBe('offline');

      // Formats, then the network step: join the Wi-Fi network with the password.
      await expect(page.getByTestId('setup-language-continue')).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(indicator(page)).toContainText('Step 2 of 8: Network');
      const depot = page.getByTestId('setup-wifi-Depot Wi-Fi');
      await arrowTo(page, depot);
      await page.keyboard.press('Enter');
      await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
      await page.keyboard.type(WIFI_PASSWORD);
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('setup-network-now')).toHaveText('Connected to the Wi-Fi network “Depot Wi-Fi”.', { timeout: 30_000 });

      // Online now: the headset asks the server by itself, while the wearer goes on.
      await expect.poll(async () => (await status()).state, { timeout: 60_000 }).toBe('pending');
      await focusWithArrows(page, page.getByTestId('setup-network-continue'));
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('setup-name')).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('setup-pin-skip')).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.getByRole('button', { name: 'Start fresh' })).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.getByRole('button', { name: 'Save and continue' })).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('setup-license-skip')).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('setup-update-skip')).toBeFocused();
      await page.keyboard.press('Enter');

      const registration = page.getByTestId('setup-registration');
      await expect(registration).toContainText(`Waiting for ${server}.`);
      await expect(registration).toContainText(`An administrator of ${server} must accept this headset.`);
      await screenshotsAtPanelSizes(page, 'setup-done-fleet-pending');

      // The operator accepts it; the headset learns it at its next check-in (asked now here).
      const admin = new OperatorClient(fetchSender(fleet.url));
      expect((await admin.login('admin', fleet.oneTimePassword!)).status).toBe(200);
      expect((await admin.changePassword(fleet.oneTimePassword!, 'four green headsets waiting')).status).toBe(200);
      expect((await admin.post(OPERATOR_API.decision(deviceId, 'accept'), {})).status).toBe(200);
      const api = await connectApi(headsetd);
      try {
        await expect(api.call('registration.checkNow')).resolves.toMatchObject({ state: 'registered', accepted: true });
      } finally {
        api.close();
      }
      await expect(registration).toContainText(`Managed by ${server}.`);
      await screenshotsAtPanelSizes(page, 'setup-done-fleet-managed');

      await expect(page.getByTestId('setup-finish')).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.locator('[data-mode="settings"]')).toBeVisible();
      const about = page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'About' });
      await focusWithArrows(page, about);
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('about-management-headline')).toHaveText(`Managed by ${server}`);
    } finally {
      await fleet.remove();
    }
  });
});
