import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckInResult } from '../../src/fleet/deviceApi.js';
import { UPDATE_API, UPDATE_REPOSITORY_PATH, type Rollout, type RolloutDetail, type UpdateReport } from '../../src/fleet/updateApi.js';
import { startFleetTestServer, type FleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import { FleetUpdateRepository } from '../../test-support/fleet/fleetUpdateRepository.js';
import type { OperatorClient } from '../../test-support/fleet/OperatorClient.js';
import { sampleInventory, type TestHeadset } from '../../test-support/fleet/TestHeadset.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';
import { DEVICE_API } from '../../src/fleet/deviceApi.js';
import { BlobStoreError, type BlobStore } from '../blobs/BlobStore.js';
import { FolderBlobStore } from '../blobs/FolderBlobStore.js';
import { inPhase } from './phaseMembership.js';

/** The hosted TUF repository and rollouts, on PGlite, with headsets checking in as the real ones sign. */
const databases = new TestDatabases();
let server: FleetTestServer;
let admin: OperatorClient;
let vendor: FleetUpdateRepository;
let pushed: Awaited<ReturnType<FleetUpdateRepository['push']>>;
const MODEL = 'HC-1';

beforeAll(async () => {
  await databases.prepare(['pglite']);
  server = await startFleetTestServer(await databases.migrated('pglite'));
  admin = await server.operator('admin');
  vendor = await FleetUpdateRepository.create();
  await vendor.addVersion(MODEL, '1.1.0');
  pushed = await vendor.push(admin);
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  await server.close();
  await databases.close();
  vendor.close();
});

/** A check-in running `version`, with these reports; answers the offer. */
async function checkIn(headset: TestHeadset, version: string, reports: UpdateReport[] = [], groupTags = ['site:berlin']) {
  const inventory = sampleInventory({ groupTags });
  inventory.slots.list[0]!.version = version;
  const body = JSON.stringify({ inventory, updateReports: reports });
  const answer = await server.send({
    method: 'POST',
    url: DEVICE_API.checkIns,
    headers: headset.signedHeaders('POST', DEVICE_API.checkIns, body),
    body,
  });
  expect(answer.status, answer.text).toBe(200);
  return answer.json<CheckInResult>().update ?? null;
}

describe('the hosted repository', () => {
  it('takes a pushed repository, publishes its timestamp last, and serves it to a TUF client with ranges', async () => {
    const report = pushed;
    expect(report.uploaded).toContain('1.root.json');
    expect(report.uploaded.some((n) => n.startsWith('targets/'))).toBe(true);
    expect(report.published).toMatchObject({ releases: [{ model: MODEL, version: '1.1.0', deltaFrom: [] }] });
    // Pushing again uploads nothing new; the same timestamp is not newer.
    await expect(vendor.push(admin)).rejects.toThrow(/UPDATE_PUBLICATION_STALE/);

    // A headset's TUF client (tuf-js, as UpdateCatalog uses it) over real HTTP.
    const address = await server.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}${UPDATE_REPOSITORY_PATH}`;
    expect(address).toContain('127.0.0.1');
    const device = mkdtempSync(join(tmpdir(), 'fleet-tuf-device-'));
    try {
      copyFileSync(join(vendor.served, '1.root.json'), join(device, 'root.json'));
      mkdirSync(join(device, 'downloads'));
      const updater = new Updater({
        metadataDir: device,
        metadataBaseUrl: base,
        targetBaseUrl: `${base}/targets`,
        targetDir: join(device, 'downloads'),
      });
      await updater.refresh();
      const name = Object.keys(JSON.parse(readFileSync(join(device, 'targets.json'), 'utf8')).signed.targets)[0]!;
      const info = (await updater.getTargetInfo(name))!;
      const downloaded = await updater.downloadTarget(info, join(device, 'downloads', name));
      expect(readFileSync(downloaded).length).toBe(info.length);

      // A resumed download asks for the rest.
      const file = `${UPDATE_REPOSITORY_PATH}/targets/${info.hashes.sha256}.${name}`;
      const part = await server.send({ method: 'GET', url: file, headers: { range: 'bytes=100-' } });
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 100-${info.length - 1}/${info.length}`);
      expect((await server.send({ method: 'GET', url: file, headers: { range: `bytes=${info.length}-` } })).status).toBe(416);
      expect((await server.send({ method: 'GET', url: `${UPDATE_REPOSITORY_PATH}/../../etc/passwd` })).status).toBe(404);
    } finally {
      rmSync(device, { recursive: true, force: true });
    }
  });

  it('refuses a wrong name, bytes that do not match a target’s hash, changed metadata and a publication missing files', async () => {
    const put = (name: string, bytes: string) => admin.raw('PUT', UPDATE_API.file(name), bytes, { 'content-type': 'application/octet-stream' });
    expect((await put('evil.sh', 'x')).json()).toMatchObject({ code: 'UPDATE_FILE_NAME_INVALID' });
    expect((await put(`targets/${'0'.repeat(64)}.bundle.hcb`, 'not those bytes')).json()).toMatchObject({ code: 'UPDATE_FILE_MISMATCH' });
    expect((await put('1.root.json', '{"changed": true}')).json()).toMatchObject({ code: 'UPDATE_FILE_CONFLICT' });
    const viewer = await server.operator('viewer');
    expect((await viewer.raw('PUT', UPDATE_API.file('9.root.json'), '{}', { 'content-type': 'application/octet-stream' })).json()).toMatchObject({
      code: 'ROLE_REQUIRED',
    });
    const timestamp = JSON.parse(readFileSync(join(vendor.served, 'timestamp.json'), 'utf8'));
    timestamp.signed.version += 5;
    timestamp.signed.meta['snapshot.json'].version += 5;
    const incomplete = await admin.raw('POST', UPDATE_API.publish, JSON.stringify(timestamp), { 'content-type': 'application/json' });
    expect(incomplete.json()).toMatchObject({
      code: 'UPDATE_REPOSITORY_INCOMPLETE',
      details: { missing: [`${timestamp.signed.meta['snapshot.json'].version}.snapshot.json`] },
    });
  });
});

it('a blob store failing halfway through an upload stores nothing and says so', async () => {
  const disk = new FolderBlobStore(mkdtempSync(join(tmpdir(), 'fleet-failing-blobs-')));
  // A disk that fails after the first chunk it is given.
  const failing: BlobStore = {
    size: (key) => disk.size(key),
    read: (key, range) => disk.read(key, range),
    move: (from, to) => disk.move(from, to),
    delete: (key) => disk.delete(key),
    put: async (key, bytes) => {
      for await (const chunk of bytes) {
        void chunk;
        throw new BlobStoreError('EIO: i/o error, write');
      }
      return disk.put(key, bytes);
    },
  };
  const broken = await startFleetTestServer(await databases.migrated('pglite'), { blobs: failing });
  try {
    const brokenAdmin = await broken.operator('admin');
    const name = readdirSync(join(vendor.served, 'targets'))[0]!;
    const answer = await brokenAdmin.raw('PUT', UPDATE_API.file(`targets/${name}`), readFileSync(join(vendor.served, 'targets', name)), {
      'content-type': 'application/octet-stream',
    });
    expect(answer.status).toBe(503);
    expect(answer.json()).toMatchObject({ code: 'BLOB_STORE_UNAVAILABLE' });
    expect((await broken.db.query('SELECT name FROM update_files')).rows).toEqual([]);
  } finally {
    await broken.close();
  }
});

describe('rollouts', () => {
  it('offers the update phase by phase to the headsets the hash puts in the phase, and counts them', async () => {
    const fleet = await Promise.all(Array.from({ length: 24 }, () => server.acceptedHeadset()));
    const outsider = await server.acceptedHeadset();
    expect(
      (await admin.post(UPDATE_API.rollouts, { model: MODEL, version: '9.9.9', phases: [100], failureThresholdPercent: 10 })).json(),
    ).toMatchObject({
      code: 'ROLLOUT_RELEASE_UNKNOWN',
    });
    const created = await admin.post(UPDATE_API.rollouts, {
      model: MODEL,
      version: '1.1.0',
      groupTags: ['site:berlin'],
      phases: [25, 100],
      failureThresholdPercent: 50,
      minFailures: 3,
    });
    expect(created.status, created.text).toBe(200);
    const rollout = created.json<Rollout>();
    expect(
      (await admin.post(UPDATE_API.rollouts, { model: MODEL, version: '1.1.0', phases: [100], failureThresholdPercent: 10 })).json(),
    ).toMatchObject({
      code: 'ROLLOUT_ALREADY_RUNNING',
    });

    const offers = await Promise.all(fleet.map((h) => checkIn(h, '1.0.0')));
    const expected = fleet.map((h) => inPhase(rollout.id, h.deviceId, 25));
    expect(offers.map((o) => o !== null)).toEqual(expected);
    for (const offer of offers.filter((o) => o !== null)) expect(offer).toEqual({ rolloutId: rollout.id, version: '1.1.0' });
    // Not in the groups, or already at the version: nothing.
    expect(await checkIn(outsider, '1.0.0', [], ['site:paris'])).toBeNull();
    expect(await checkIn(fleet[0]!, '1.1.0')).toBeNull();
    const firstAnswer = await admin.get(UPDATE_API.rollout(rollout.id));
    expect(firstAnswer.status, firstAnswer.text).toBe(200);
    const first = firstAnswer.json<RolloutDetail>();
    const inFirst = expected.filter(Boolean).length;
    // The SQL bucket agrees with the one check-ins use (the outsider has other tags, fleet[0] is counted by the hash alone).
    expect(first.eligible).toBe(inFirst);
    expect(first.counts.offered).toBe(inFirst);

    // An operator who saw phase 1 advances; a second, who also saw phase 1, is told it moved.
    expect((await admin.post(UPDATE_API.rolloutAction(rollout.id, 'advance'), { phase: 0 })).json()).toMatchObject({ phase: 1 });
    expect((await admin.post(UPDATE_API.rolloutAction(rollout.id, 'advance'), { phase: 0 })).json()).toMatchObject({
      code: 'ROLLOUT_STATE_CONFLICT',
      details: { state: 'active', phase: 1 },
    });
    const all = await Promise.all(fleet.slice(1).map((h) => checkIn(h, '1.0.0')));
    expect(all.every((o) => o?.rolloutId === rollout.id)).toBe(true);

    // Reports move each headset on; the chart's timeline counts them.
    const [a, b] = fleet.slice(1);
    await checkIn(a!, '1.0.0', [{ rolloutId: rollout.id, version: '1.1.0', status: 'downloading' }]);
    await checkIn(a!, '1.0.0', [{ rolloutId: rollout.id, version: '1.1.0', status: 'installed' }]);
    expect(await checkIn(a!, '1.1.0', [{ rolloutId: rollout.id, version: '1.1.0', status: 'committed' }])).toBeNull();
    await checkIn(b!, '1.0.0', [{ rolloutId: rollout.id, version: '1.1.0', status: 'downloading' }]);
    const detail = (await admin.get(UPDATE_API.rollout(rollout.id))).json<RolloutDetail>();
    expect(detail.counts).toMatchObject({ committed: 1, downloading: 1 });
    expect(detail.devices.find((d) => d.deviceId === a!.deviceId)?.status).toBe('committed');
    expect(detail.timeline.filter((t) => t.status === 'committed').reduce((n, t) => n + t.count, 0)).toBe(1);

    // Pausing withholds new offers but lets a headset mid-download finish; resume brings them back.
    expect((await admin.post(UPDATE_API.rolloutAction(rollout.id, 'pause'), { phase: 1 })).json()).toMatchObject({
      state: 'paused',
      pausedBecause: 'operator',
    });
    expect(await checkIn(fleet[3]!, '1.0.0')).toBeNull();
    expect(await checkIn(b!, '1.0.0')).toEqual({ rolloutId: rollout.id, version: '1.1.0' });
    expect((await admin.post(UPDATE_API.rolloutAction(rollout.id, 'resume'), { phase: 1 })).json()).toMatchObject({ state: 'active' });
    expect(await checkIn(fleet[3]!, '1.0.0')).not.toBeNull();

    // Failures past the threshold (50 % of those offered, at least 3) pause it by themselves, once.
    const failing = fleet.slice(4, 20);
    for (const [i, h] of failing.entries()) {
      await checkIn(h, '1.0.0', [
        { rolloutId: rollout.id, version: '1.1.0', status: i % 2 ? 'rolled_back' : 'failed', detail: 'BOOT_NOT_CONFIRMED' },
      ]);
    }
    const paused = (await admin.get(UPDATE_API.rollout(rollout.id))).json<RolloutDetail>();
    expect(paused).toMatchObject({ state: 'paused', pausedBecause: 'failures' });
    expect(paused.counts.failed + paused.counts.rolled_back).toBeGreaterThan(11);
    const audits = await server.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'rollout.paused-by-failures' AND subject = $1",
      [rollout.id],
    );
    expect(audits.rows[0]!.n).toBe(1);
    // A headset that failed is not offered the same rollout again, even once resumed.
    await admin.post(UPDATE_API.rolloutAction(rollout.id, 'resume'), { phase: 1 });
    expect(await checkIn(failing[0]!, '1.0.0')).toBeNull();

    // Aborted: nobody is offered anything; completing an aborted rollout is a conflict.
    expect((await admin.post(UPDATE_API.rolloutAction(rollout.id, 'abort'), { phase: 1 })).json()).toMatchObject({ state: 'aborted' });
    expect(await checkIn(b!, '1.0.0')).toBeNull();
    expect((await admin.post(UPDATE_API.rolloutAction(rollout.id, 'complete'), { phase: 1 })).json()).toMatchObject({
      code: 'ROLLOUT_STATE_CONFLICT',
    });
    expect((await admin.get(UPDATE_API.rollout(crypto.randomUUID()))).json()).toMatchObject({ code: 'ROLLOUT_NOT_FOUND' });
    expect((await (await server.operator('viewer')).post(UPDATE_API.rolloutAction(rollout.id, 'pause'), { phase: 1 })).json()).toMatchObject({
      code: 'ROLE_REQUIRED',
    });
    // With it aborted, a new rollout of the model may start.
    expect((await admin.post(UPDATE_API.rollouts, { model: MODEL, version: '1.1.0', phases: [100], failureThresholdPercent: 10 })).status).toBe(200);
  });
});
