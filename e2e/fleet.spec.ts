import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { fetchSender } from '../test-support/fleet/httpSender.js';
import { sampleInventory, TestHeadset } from '../test-support/fleet/TestHeadset.js';
import { startBuiltFleetServer } from './fleetServer.js';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const shot = (name: string) => ({ path: join(SCREENSHOTS, name), animations: 'disabled' as const, caret: 'hide' as const });

/**
 * The operator dashboard against the built fleet server on PGlite: the first admin logs in with the
 * one-time password the server printed, must change it, then accepts and rejects headsets that
 * registered (light clients signing with their own Ed25519 keys) and reads an accepted one's inventory.
 */
test.describe('Fleet dashboard', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('first login, the password change, approvals and a headset’s inventory', async ({ page, context }) => {
    test.setTimeout(90_000);
    const server = await startBuiltFleetServer();
    try {
      const send = fetchSender(server.url);
      const wearerOne = new TestHeadset(send);
      const wearerTwo = new TestHeadset(send);
      for (const headset of [wearerOne, wearerTwo]) expect((await headset.register()).json()).toMatchObject({ status: 'pending' });

      await page.goto(server.url);
      await expect(page.getByRole('heading', { name: 'Headset fleet' })).toBeVisible();
      await page.screenshot(shot('fleet-login.png'));
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill('not the password at all');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.getByRole('alert')).toHaveText('The user name or the password is wrong.');
      await page.getByLabel('Password').fill(server.oneTimePassword!);
      await page.getByRole('button', { name: 'Log in' }).click();

      await expect(page.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
      const session = (await context.cookies()).find((c) => c.name === 'hc_fleet_session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      await page.getByLabel('One-time password').fill(server.oneTimePassword!);
      await page.getByLabel('New password', { exact: true }).fill('too short');
      await page.getByLabel('New password again').fill('too short');
      await page.getByRole('button', { name: 'Change password' }).click();
      await expect(page.getByRole('alert')).toContainText('at least 12 characters');
      await page.getByLabel('New password', { exact: true }).fill('three blue headsets dancing');
      await page.getByLabel('New password again').fill('three blue headsets dancing');
      await page.screenshot(shot('fleet-change-password.png'));
      await page.getByRole('button', { name: 'Change password' }).click();

      const pending = page.getByRole('region', { name: 'Waiting for approval' });
      await expect(pending.locator(`[data-device="${wearerOne.deviceId}"]`)).toBeVisible();
      await expect(pending.locator(`[data-device="${wearerTwo.deviceId}"]`)).toBeVisible();
      await page.screenshot(shot('fleet-devices-pending.png'));

      await pending.locator(`[data-device="${wearerOne.deviceId}"]`).getByRole('button', { name: 'Accept' }).click();
      await expect(pending.locator(`[data-device="${wearerOne.deviceId}"]`)).toHaveCount(0);
      await pending.locator(`[data-device="${wearerTwo.deviceId}"]`).getByRole('button', { name: 'Reject' }).click();
      await expect(pending).toContainText('No headset is waiting.');
      expect((await wearerOne.checkIn(sampleInventory({ groupTags: ['site:berlin', 'demo-floor'] }))).status).toBe(200);
      expect((await wearerTwo.checkIn()).json()).toMatchObject({ code: 'DEVICE_REFUSED' });

      await page.reload();
      const all = page.getByRole('region', { name: 'Headsets' });
      await expect(all.getByRole('row', { name: new RegExp(wearerOne.deviceId) })).toContainText('HC-1');
      await expect(all.getByRole('row', { name: new RegExp(wearerTwo.deviceId) })).toContainText('Rejected');
      await page.screenshot(shot('fleet-devices.png'));

      await all.getByRole('link', { name: wearerOne.deviceId }).click();
      await expect(page.getByRole('heading', { name: wearerOne.deviceId })).toBeVisible();
      const inventory = page.getByRole('region', { name: 'Inventory' });
      await expect(inventory).toContainText('HC-1');
      await expect(inventory).toContainText('firmware');
      await expect(inventory).toContainText('2.1.0');
      await expect(inventory.getByRole('row', { name: /A \(running\)/ })).toContainText('1.0.0');
      await expect(inventory).toContainText('85 %');
      await expect(inventory).toContainText('demo-floor');
      await page.screenshot({ ...shot('fleet-device.png'), fullPage: true });

      await page.getByRole('button', { name: 'Log out' }).click();
      await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
    } finally {
      await server.remove();
    }
  });
});
