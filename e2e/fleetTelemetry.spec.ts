import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { fetchSender } from '../test-support/fleet/httpSender.js';
import { OperatorClient } from '../test-support/fleet/OperatorClient.js';
import { TelemetryHeadset } from '../test-support/fleet/TelemetryHeadset.js';
import { startBuiltFleetServer } from './fleetServer.js';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PASSWORD = 'three blue headsets dancing';

/**
 * The dashboard's telemetry page against the built fleet server on PGlite, fed by headsets made of
 * the headset's own telemetry pieces (consent, pseudonym, outbox, the encoder and the week's
 * signing key): records per day, a crash record, and a wearer's deletion request.
 */
test.describe('Fleet dashboard: telemetry', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('records per day, crash records and deletion requests, as headsets sent them', async ({ page }) => {
    test.setTimeout(300_000);
    const server = await startBuiltFleetServer();
    const work = await mkdtemp(join(tmpdir(), 'fleet-telemetry-e2e-'));
    const headsets: TelemetryHeadset[] = [];
    try {
      const send = fetchSender(server.url);
      const deliver = async (headset: TelemetryHeadset) => {
        for (const e of await headset.exports()) {
          const answer = await send({ method: 'POST', url: e.path, headers: e.headers, body: e.body });
          expect(answer.json()).toEqual({});
        }
        for (const category of ['usage', 'performance', 'hardware', 'errors', 'essential'] as const) await headset.outbox.purgeCategory(category);
      };
      const wearer = await TelemetryHeadset.create(join(work, 'wearer'));
      const other = await TelemetryHeadset.create(join(work, 'other'));
      headsets.push(wearer, other);
      for (const headset of [wearer, other]) {
        await headset.consent({ usage: true, performance: true, hardware: true, errors: true });
        await headset.recordActivity(['home', 'updates', 'logs', 'network']);
      }
      await other.crash('Cannot read properties of undefined (reading "slot")', 'renderer');
      await deliver(wearer);
      await deliver(other);
      // The wearer turns usage off: its deletion request follows.
      await wearer.consent({ usage: false, performance: true, hardware: true, errors: true });
      await deliver(wearer);

      const admin = new OperatorClient(send);
      await admin.login('admin', server.oneTimePassword!);
      expect((await admin.changePassword(server.oneTimePassword!, PASSWORD)).status).toBe(200);

      await page.goto(server.url);
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Telemetry' }).click();

      const today = new Date().toISOString().slice(0, 10);
      const perDay = page.getByRole('region', { name: 'Records per day' });
      await expect(perDay.getByRole('img', { name: /Records per day over 30 days/ })).toBeVisible();
      // Two headsets' four screen views, a gauge each of CPU and battery, the error counts and the crash; less the wearer's deleted views.
      await perDay.getByText('The numbers').click();
      const todayRow = perDay.getByRole('row', { name: new RegExp(today) });
      await expect(todayRow).toBeVisible();
      const cells = await todayRow.getByRole('cell').allTextContents();
      expect(Number(cells[3])).toBe(1);
      expect(Number(cells[1])).toBeGreaterThanOrEqual(5);
      await perDay.getByText('The numbers').click();

      const crashes = page.getByRole('region', { name: 'Crash records' });
      await expect(crashes.getByRole('row', { name: /renderer/ })).toContainText('TypeError: Cannot read properties of undefined (reading "slot")');
      await expect(crashes.getByRole('row', { name: /renderer/ })).toContainText('1.4.2');

      const deletions = page.getByRole('region', { name: 'Deletion requests' });
      await expect(deletions.getByRole('row', { name: /usage/ })).toContainText('Deleted 4 log records and 0 metric points');
      await expect(deletions).toContainText(wearer.pseudonym().slice(0, 8));
      // No device id anywhere on the page: telemetry carries pseudonyms only.
      await expect(page.locator('body')).not.toContainText(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/);

      await page.screenshot({ path: join(SCREENSHOTS, 'fleet-telemetry-1280x720.png'), animations: 'disabled', caret: 'hide' });
      await page.screenshot({ path: join(SCREENSHOTS, 'fleet-telemetry-full.png'), animations: 'disabled', caret: 'hide', fullPage: true });
    } finally {
      for (const headset of headsets) await headset.close();
      await rm(work, { recursive: true, force: true });
      await server.remove();
    }
  });
});
