import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { OPERATOR_API } from '../src/fleet/operatorApi.js';
import { fetchSender } from '../test-support/fleet/httpSender.js';
import { OperatorClient } from '../test-support/fleet/OperatorClient.js';
import { connectApi } from './api.js';
import { SCREENSHOTS, expect, openUi, readIdentity, test, waitForLiveHome } from './fixtures.js';
import { startBuiltFleetServer } from './fleetServer.js';
import { expectLayoutHolds, PANEL_SIZES } from './layoutCheck.js';

test.use({ mode: 'settings' });

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

/**
 * The headset's side of the fleet: headsetd started with --fleet-url registers with the built fleet
 * server (PGlite) on its own; About says it waits for an administrator, and once an operator accepts
 * it through the server's API, that it is managed by that server. Codes only under the details.
 */
test.describe('Fleet management in About', () => {
  test('waiting for approval, then "Managed by" the server once an operator accepts the headset', async ({ page, launchHeadsetd }) => {
    test.setTimeout(120_000);
    const fleet = await startBuiltFleetServer();
    try {
      const serverName = new URL(fleet.url).host;
      const headsetd = await launchHeadsetd({ mode: 'settings', fleetUrl: fleet.url });
      const { deviceId } = await readIdentity(headsetd.root);
      await page.setViewportSize(PANEL_SIZES[0]!);
      await openUi(page, headsetd);
      await waitForLiveHome(page);
      await nav(page).getByRole('button', { name: 'About' }).click();

      const management = page.getByTestId('about-management');
      await expect(management).toHaveAttribute('data-state', 'pending', { timeout: 30_000 });
      await expect(page.getByTestId('about-management-headline')).toHaveText(`Waiting for ${serverName}`);
      await expect(page.getByTestId('about-management-note')).toHaveText(`An administrator of ${serverName} must accept this headset.`);
      // The code is for support, folded away.
      const details = management.locator('details');
      await expect(details.locator('summary')).toHaveText('Details for support');
      await expect(details).not.toHaveAttribute('open');
      await expect(management.getByText('REGISTRATION_PENDING')).toBeHidden();
      await details.locator('summary').click();
      await expect(management.getByText('REGISTRATION_PENDING')).toBeVisible();
      await details.locator('summary').click();

      // The operator accepts the headset through the server's API (the dashboard's own calls).
      const admin = new OperatorClient(fetchSender(fleet.url));
      expect((await admin.login('admin', fleet.oneTimePassword!)).status).toBe(200);
      expect((await admin.changePassword(fleet.oneTimePassword!, 'three blue headsets dancing')).status).toBe(200);
      expect((await admin.post(OPERATOR_API.decision(deviceId, 'accept'), {})).status).toBe(200);

      // The headset would learn it at its next check-in (a minute); the test asks it to check in now.
      const api = await connectApi(headsetd);
      try {
        await expect(api.call('registration.checkNow')).resolves.toMatchObject({ state: 'registered', accepted: true });
      } finally {
        api.close();
      }
      await expect(management).toHaveAttribute('data-state', 'registered');
      await expect(page.getByTestId('about-management-headline')).toHaveText(`Managed by ${serverName}`);
      await expect(page.getByTestId('about-management-note')).toHaveText(/^Last in touch at .+\.$/);
      await expect(management.locator('details')).toHaveCount(0);

      // The server has its inventory: the simulated headset's model.
      const page2 = (await admin.get(OPERATOR_API.device(deviceId))).json<{ status: string; inventory: { model: string } | null }>();
      expect(page2).toMatchObject({ status: 'accepted', inventory: { model: 'HC-1-simulated' } });

      for (const size of PANEL_SIZES) {
        await page.setViewportSize(size);
        await page.screenshot({ path: join(SCREENSHOTS, `about-managed-${size.width}x${size.height}.png`), animations: 'disabled', caret: 'hide' });
      }
      await page.setViewportSize(PANEL_SIZES[0]!);
      await expectLayoutHolds(page);
    } finally {
      await fleet.remove();
    }
  });
});
