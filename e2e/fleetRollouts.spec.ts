import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { DEVICE_API, type CheckInResult } from '../src/fleet/deviceApi.js';
import { OPERATOR_API } from '../src/fleet/operatorApi.js';
import type { UpdateReport } from '../src/fleet/updateApi.js';
import { FleetUpdateRepository } from '../test-support/fleet/fleetUpdateRepository.js';
import { fetchSender, type Sender } from '../test-support/fleet/httpSender.js';
import { OperatorClient } from '../test-support/fleet/OperatorClient.js';
import { sampleInventory, TestHeadset } from '../test-support/fleet/TestHeadset.js';
import { startBuiltFleetServer } from './fleetServer.js';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PASSWORD = 'three blue headsets dancing';

/** A headset's signed check-in running `version`, with its reports; answers the update offered. */
async function checkIn(send: Sender, headset: TestHeadset, version: string, reports: UpdateReport[] = []) {
  const inventory = sampleInventory({ groupTags: ['site:berlin'] });
  inventory.slots.list[0]!.version = version;
  const body = JSON.stringify({ inventory, updateReports: reports });
  const answer = await send({ method: 'POST', url: DEVICE_API.checkIns, headers: headset.signedHeaders('POST', DEVICE_API.checkIns, body), body });
  expect(answer.status, answer.text).toBe(200);
  return answer.json<CheckInResult>().update ?? null;
}

/**
 * Rollouts in the dashboard against the built fleet server on PGlite: a vendor's repository pushed
 * to it, headsets checking in as they sign, and an admin who starts a rollout in phases, watches
 * its progress chart, moves it on, sees it pause itself on failures, resumes and aborts it.
 */
test.describe('Fleet dashboard: rollouts', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('start a rollout, follow its progress, next phase, paused by failures, resume, abort', async ({ page }) => {
    test.setTimeout(300_000);
    const server = await startBuiltFleetServer();
    const vendor = await FleetUpdateRepository.create();
    try {
      const send = fetchSender(server.url);
      const admin = new OperatorClient(send);
      await admin.login('admin', server.oneTimePassword!);
      expect((await admin.changePassword(server.oneTimePassword!, PASSWORD)).status).toBe(200);
      await vendor.addVersion('HC-1', '1.1.0');
      await vendor.push(admin);

      const fleet = Array.from({ length: 12 }, () => new TestHeadset(send));
      for (const headset of fleet) {
        await headset.register();
        expect((await admin.post(OPERATOR_API.decision(headset.deviceId, 'accept'), {})).status).toBe(200);
        expect(await checkIn(send, headset, '1.0.0')).toBeNull();
      }

      await page.goto(server.url);
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Rollouts' }).click();
      const form = page.getByRole('region', { name: 'New rollout' });
      await form.getByLabel('Release').selectOption('HC-1 1.1.0');
      await form.getByLabel('Groups').fill('site:berlin');
      await form.getByLabel('Phases').fill('50, 100');
      await form.getByLabel('Pause above this failure rate').fill('30');
      await form.getByLabel('at least this many failures').fill('2');
      await form.getByRole('button', { name: 'Start rollout' }).click();

      await expect(page.getByRole('heading', { name: 'HC-1 1.1.0' })).toBeVisible();
      await expect(page.getByTestId('rollout-state')).toHaveText('Rolling out');
      await expect(page.getByTestId('rollout-phase')).toContainText('1 of 2: 50 %');
      const rolloutId = /#\/rollouts\/([0-9a-f-]{36})$/.exec(page.url())![1]!;

      // Phase 1: the headsets the hash puts in the first half are offered it; two go all the way.
      const offered: TestHeadset[] = [];
      for (const headset of fleet) if (await checkIn(send, headset, '1.0.0')) offered.push(headset);
      expect(offered.length).toBeGreaterThan(0);
      expect(offered.length).toBeLessThan(fleet.length);
      for (const headset of offered.slice(0, 2)) {
        await checkIn(send, headset, '1.0.0', [{ rolloutId, version: '1.1.0', status: 'downloading' }]);
        await checkIn(send, headset, '1.0.0', [{ rolloutId, version: '1.1.0', status: 'installed' }]);
        await checkIn(send, headset, '1.1.0', [{ rolloutId, version: '1.1.0', status: 'committed' }]);
      }
      await page.reload();
      const progress = page.getByRole('region', { name: 'Progress' });
      await expect(
        progress.getByRole('img', { name: new RegExp(`Now: ${offered.length} of ${offered.length} headsets offered, 2 committed`) }),
      ).toBeVisible();
      await expect(progress.getByRole('img', { name: /Over time: 2 committed, 0 failures/ })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Headsets' }).getByRole('row', { name: /Committed/ })).toHaveCount(2);
      await page.screenshot({ path: `${SCREENSHOTS}fleet-rollout-phase1.png`, fullPage: true });

      // Next phase: every headset of the group.
      await page.getByRole('button', { name: 'Next phase (100 %)' }).click();
      await expect(page.getByTestId('rollout-phase')).toContainText('2 of 2: 100 %');
      for (const headset of fleet) if (!offered.includes(headset)) expect(await checkIn(send, headset, '1.0.0')).not.toBeNull();

      // Failures past 30 % of those offered: the server pauses it by itself.
      const failing = fleet.filter((h) => !offered.slice(0, 2).includes(h)).slice(0, 5);
      for (const [i, headset] of failing.entries())
        await checkIn(send, headset, '1.0.0', [
          { rolloutId, version: '1.1.0', status: i % 2 ? 'rolled_back' : 'failed', detail: 'BOOT_NOT_CONFIRMED' },
        ]);
      await expect(page.getByTestId('rollout-state')).toHaveText('Paused: too many failures', { timeout: 15_000 });
      await expect(progress.getByRole('img', { name: /Over time: 2 committed, 5 failures/ })).toBeVisible();
      await page.screenshot({ path: `${SCREENSHOTS}fleet-rollout-paused.png`, fullPage: true });

      await page.getByRole('button', { name: 'Resume' }).click();
      await expect(page.getByTestId('rollout-state')).toHaveText('Rolling out');
      await page.getByRole('button', { name: 'Abort…' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Abort the rollout?' });
      await expect(confirm).toContainText('Headsets that installed it keep it');
      await confirm.getByRole('button', { name: 'Abort the rollout' }).click();
      await expect(page.getByTestId('rollout-state')).toHaveText('Aborted');
      await expect(page.getByRole('group', { name: 'Rollout actions' })).toHaveCount(0);
      expect(
        await checkIn(
          send,
          fleet.find((h) => !offered.slice(0, 2).includes(h) && !failing.includes(h))!,
          '1.0.0',
        ),
      ).toBeNull();

      await page.getByRole('link', { name: '← All rollouts' }).click();
      const list = page.getByRole('region', { name: 'Rollouts' });
      await expect(list.getByRole('row', { name: /1\.1\.0/ })).toContainText('Aborted');
      await page.screenshot({ path: `${SCREENSHOTS}fleet-rollouts.png`, fullPage: true });
    } finally {
      vendor.close();
      await server.remove();
    }
  });
});
