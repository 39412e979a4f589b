import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { checkInResultSchema } from '../src/fleet/deviceApi.js';
import { OPERATOR_API } from '../src/fleet/operatorApi.js';
import { fetchSender } from '../test-support/fleet/httpSender.js';
import { OperatorClient } from '../test-support/fleet/OperatorClient.js';
import { TEST_SUPPORT_RELAY } from '../test-support/fleet/supportRelayOffer.js';
import { TestHeadset } from '../test-support/fleet/TestHeadset.js';
import { startBuiltFleetServer } from './fleetServer.js';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PASSWORD = 'three blue headsets dancing';

/** A support session opened on a headset's page of the built server (--support-relay), picked up by the headset's signed check-in, closed. */
test.describe('Fleet dashboard: support sessions', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test("an operator opens a session on a headset's page, the headset's check-in carries it, the operator closes it", async ({ page }) => {
    test.setTimeout(300_000);
    const work = await mkdtemp(join(tmpdir(), 'fleet-support-e2e-'));
    const relayFile = join(work, 'relay.json');
    await writeFile(relayFile, JSON.stringify(TEST_SUPPORT_RELAY));
    const server = await startBuiltFleetServer(['--support-relay', relayFile]);
    try {
      const send = fetchSender(server.url);
      const admin = new OperatorClient(send);
      await admin.login('admin', server.oneTimePassword!);
      expect((await admin.changePassword(server.oneTimePassword!, PASSWORD)).status).toBe(200);
      const headset = new TestHeadset(send);
      expect((await headset.register()).status).toBe(200);
      expect((await admin.post(OPERATOR_API.decision(headset.deviceId, 'accept'), {})).status).toBe(200);
      const offered = async () => checkInResultSchema.parse((await headset.checkIn()).json()).support ?? null;
      expect(await offered()).toBeNull();

      await page.goto(`${server.url}#/devices/${headset.deviceId}`);
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      const card = page.getByTestId('support-sessions');
      await card.getByLabel('Why').fill('The wearer called about Wi-Fi');
      await card.getByLabel('For (minutes)').fill('30');
      await card.getByRole('button', { name: 'Open a support session' }).click();
      await expect(card.getByTestId('support-open')).toContainText('Waiting for the headset to check in.');
      await expect(card.getByTestId('support-open')).toContainText('through Example support, by admin: The wearer called about Wi-Fi');

      const offer = await offered();
      expect(offer?.relay).toEqual(TEST_SUPPORT_RELAY);
      await page.reload();
      await expect(card.getByTestId('support-open')).toContainText('The headset picked it up');
      await page.screenshot({ path: join(SCREENSHOTS, 'fleet-support-1280x720.png'), animations: 'disabled', caret: 'hide', fullPage: true });

      // The headsets' list shows the sessions open across the fleet.
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Headsets' }).click();
      const fleetWide = page.getByTestId('open-support-sessions');
      await expect(fleetWide.locator(`li[data-session="${offer!.sessionId}"]`)).toContainText('The wearer called about Wi-Fi: by admin');
      await expect(fleetWide).toContainText('picked up by the headset');
      await fleetWide.getByRole('link', { name: headset.deviceId }).click();
      await card.getByRole('button', { name: 'Close the session' }).click();
      await expect(card.getByTestId('support-open')).toHaveCount(0);
      await expect(card.getByRole('list', { name: 'Earlier sessions' })).toContainText('Closed: The wearer called about Wi-Fi (by admin');
      expect(await offered()).toBeNull();
      await expect(card.getByRole('button', { name: 'Open a support session' })).toBeVisible();
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Headsets' }).click();
      await expect(page.getByRole('heading', { name: 'Waiting for approval' })).toBeVisible();
      await expect(page.getByTestId('open-support-sessions')).toHaveCount(0);
    } finally {
      await server.remove();
      await rm(work, { recursive: true, force: true });
    }
  });
});
