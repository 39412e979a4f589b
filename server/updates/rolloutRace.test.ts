import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEVICE_API, type CheckInResult } from '../../src/fleet/deviceApi.js';
import { OPERATOR_API } from '../../src/fleet/operatorApi.js';
import { UPDATE_API, type Rollout, type RolloutDetail } from '../../src/fleet/updateApi.js';
import { PostgresDatabase } from '../db/PostgresDatabase.js';
import { FleetUpdateRepository } from '../../test-support/fleet/fleetUpdateRepository.js';
import { fetchSender, type Answer } from '../../test-support/fleet/httpSender.js';
import { OperatorClient } from '../../test-support/fleet/OperatorClient.js';
import { bundleFleetServer, startFleetServerProcess } from '../../test-support/fleet/serverProcess.js';
import { sampleInventory, TestHeadset } from '../../test-support/fleet/TestHeadset.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';

/** Two server processes on one PostgreSQL and one blob folder, racing on one repository and one rollout. */
const databases = new TestDatabases();
const blobs = mkdtempSync(join(tmpdir(), 'fleet-race-blobs-'));
let bundle: ReturnType<typeof bundleFleetServer>;
let vendor: FleetUpdateRepository;
beforeAll(async () => {
  bundle = bundleFleetServer();
  await databases.prepare(['postgresql']);
  vendor = await FleetUpdateRepository.create();
  await vendor.addVersion('HC-1', '1.1.0');
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  bundle.remove();
  vendor.close();
  await databases.close();
  rmSync(blobs, { recursive: true, force: true });
});

const codes = (answers: Answer[]) => answers.map((a) => (a.status === 200 ? 'ok' : a.json<{ code: string }>().code)).sort();

it('two processes: one publication, one rollout, one advance and one automatic pause win; the other is told why', async () => {
  const url = await databases.emptyPostgresUrl();
  const [a, b] = await Promise.all([
    startFleetServerProcess(bundle.entry, ['--database', url, '--blobs', blobs]),
    startFleetServerProcess(bundle.entry, ['--database', url, '--blobs', blobs]),
  ]);
  try {
    const password = [a.oneTimePassword, b.oneTimePassword].find(Boolean)!;
    const onA = new OperatorClient(fetchSender(a.url));
    await onA.login('admin', password);
    await onA.changePassword(password, 'a long enough new password');
    const onB = new OperatorClient(fetchSender(b.url));
    onB.cookie = onA.cookie;
    onB.csrfToken = onA.csrfToken;

    // Uploaded through A; the same timestamp published on both at once: one publication.
    await vendor.upload(onA);
    const timestamp = readFileSync(join(vendor.served, 'timestamp.json'));
    const json = { 'content-type': 'application/json' };
    expect(
      codes(await Promise.all([onA.raw('POST', UPDATE_API.publish, timestamp, json), onB.raw('POST', UPDATE_API.publish, timestamp, json)])),
    ).toEqual(['UPDATE_PUBLICATION_STALE', 'ok']);
    // B serves what A stored (one database, one blob folder).
    const served = await fetch(new URL('/updates/1.root.json', b.url));
    expect(Buffer.from(await served.arrayBuffer())).toEqual(readFileSync(join(vendor.served, '1.root.json')));

    // The same rollout created on both at once: one is created.
    const request = { model: 'HC-1', version: '1.1.0', phases: [50, 100], failureThresholdPercent: 20, minFailures: 2 };
    const created = await Promise.all([onA.post(UPDATE_API.rollouts, request), onB.post(UPDATE_API.rollouts, request)]);
    expect(codes(created)).toEqual(['ROLLOUT_ALREADY_RUNNING', 'ok']);
    const rollout = created.find((c) => c.status === 200)!.json<Rollout>();

    // Two operators advance from phase 1 at once, one on each process: one advance.
    const advanced = await Promise.all([
      onA.post(UPDATE_API.rolloutAction(rollout.id, 'advance'), { phase: 0 }),
      onB.post(UPDATE_API.rolloutAction(rollout.id, 'advance'), { phase: 0 }),
    ]);
    expect(codes(advanced)).toEqual(['ROLLOUT_STATE_CONFLICT', 'ok']);

    // Sixteen headsets, half on each process, offered the update, then all failing at once.
    const senders = [fetchSender(a.url), fetchSender(b.url)];
    const fleet = Array.from({ length: 16 }, (_, i) => new TestHeadset(senders[i % 2]!));
    for (const headset of fleet) {
      await headset.register();
      expect((await onA.post(OPERATOR_API.decision(headset.deviceId, 'accept'), {})).status).toBe(200);
    }
    const checkIn = async (headset: TestHeadset, reports: unknown[]) => {
      const inventory = sampleInventory();
      const body = JSON.stringify({ inventory, updateReports: reports });
      const sent = await senders[fleet.indexOf(headset) % 2]!({
        method: 'POST',
        url: DEVICE_API.checkIns,
        headers: headset.signedHeaders('POST', DEVICE_API.checkIns, body),
        body,
      });
      expect(sent.status, sent.text).toBe(200);
      return sent.json<CheckInResult>();
    };
    const offers = await Promise.all(fleet.map((h) => checkIn(h, [])));
    expect(offers.every((o) => o.update?.rolloutId === rollout.id)).toBe(true);
    await Promise.all(fleet.map((h) => checkIn(h, [{ rolloutId: rollout.id, version: '1.1.0', status: 'failed', detail: 'DOWNLOAD_FAILED' }])));

    const after = (await onB.get(UPDATE_API.rollout(rollout.id))).json<RolloutDetail>();
    expect(after).toMatchObject({ state: 'paused', pausedBecause: 'failures', phase: 1 });
    expect(after.counts.failed).toBe(16);
    const audit = await fetchAuditCount(url, rollout.id);
    expect(audit).toBe(1);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}, 180_000);

/** How many times the rollout was paused by failures, read straight from the shared database. */
async function fetchAuditCount(url: string, rolloutId: string): Promise<number> {
  const db = await PostgresDatabase.open({ connectionString: url });
  try {
    return (
      await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'rollout.paused-by-failures' AND subject = $1", [
        rolloutId,
      ])
    ).rows[0]!.n;
  } finally {
    await db.close();
  }
}
