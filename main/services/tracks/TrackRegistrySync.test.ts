import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_API } from '../../../src/fleet/operatorApi.js';
import { TRACK_API, type TrackConflict, type TrackSummary } from '../../../src/fleet/trackApi.js';
import type { TrackFix } from '../../../src/tracks/geo.js';
import { withChicane } from '../../../src/tracks/registryTestSignatures.js';
import { syntheticCircuit } from '../../../src/tracks/syntheticCircuits.js';
import { synthesizeDrive } from '../../../src/tracks/syntheticDrive.js';
import type { TrackSignature } from '../../../src/tracks/trackSignature.js';
import { startFleetTestServer, type FleetTestServer } from '../../../test-support/fleet/fleetTestServer.js';
import type { OperatorClient } from '../../../test-support/fleet/OperatorClient.js';
import { PREPARE_TIMEOUT_MS, TestDatabases } from '../../../test-support/fleet/testDatabases.js';
import { IdentityService } from '../identity/IdentityService.js';
import { FleetClient } from '../registration/FleetClient.js';
import { TrackRegistrySync, type RegistryTracks } from './TrackRegistrySync.js';
import { TracksService } from './TracksService.js';
import { TrackStore } from './TrackStore.js';

/**
 * The headset's registry sync against the real fleet server (in process, listening on 127.0.0.1,
 * PGlite), through the headset's own signed FleetClient, with tracks learned by driving.
 */
const databases = new TestDatabases();
let fleet: FleetTestServer;
let url: string;
let support: OperatorClient;
let root: string;
beforeAll(async () => {
  await databases.prepare(['pglite']);
  fleet = await startFleetTestServer(await databases.migrated('pglite'));
  await fleet.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(fleet.app.server.address() as { port: number }).port}`;
  support = await fleet.operator('support');
  root = await mkdtemp(join(tmpdir(), 'track-registry-'));
}, PREPARE_TIMEOUT_MS);
afterAll(async () => {
  await fleet.close();
  await databases.close();
  await rm(root, { recursive: true, force: true });
});

const quiet = { info: () => undefined, warn: () => undefined };
const T0 = Date.parse('2026-09-05T09:00:00Z');

/** A headset registered and accepted, with its tracks service and its sync. */
async function headset(tracks?: RegistryTracks) {
  const dir = await mkdtemp(join(root, 'h-'));
  const deviceId = randomUUID();
  const identity = new IdentityService(join(dir, 'identity'), { read: async () => deviceId });
  await identity.load();
  const client = new FleetClient(url, identity, { timeoutMs: 5_000 });
  expect((await client.register()).ok).toBe(true);
  const admin = await fleet.operator('admin');
  expect((await admin.post(OPERATOR_API.decision(deviceId, 'accept'), {})).status).toBe(200);
  const service = new TracksService({ store: new TrackStore({ tracks: join(dir, 'tracks'), sessions: join(dir, 'sessions') }), log: quiet });
  await service.load();
  const stateFile = join(dir, 'track-registry.json');
  const sync = () => new TrackRegistrySync({ channel: client, tracks: tracks ?? service, stateFile, log: quiet }).run();
  return { service, sync, stateFile, client };
}

function drive(service: TracksService, circuitId: string, seed: number, day: number): Promise<void> {
  const fixes: TrackFix[] = synthesizeDrive(syntheticCircuit(circuitId)!, {
    laps: 2,
    seed,
    rateHz: 10,
    dropoutsPerLap: 0,
    startAt: T0 + day * 86_400_000,
  });
  for (let i = 0; i < fixes.length; i += 10) service.accept(fixes.slice(i, i + 10));
  return service.stop();
}

const registry = async () => (await support.get(TRACK_API.tracks)).json<{ tracks: TrackSummary[] }>().tracks;

describe('track registry sync', () => {
  it('links learned tracks to canonical ones, gives them their canonical names, and follows renames incrementally', async () => {
    const a = await headset();
    await drive(a.service, 'hollowmere-gp', 1, 0);
    const [learned] = a.service.listTracks();
    await a.service.rename(learned!.id, 'Hollowmere GP');
    expect(await a.sync()).toMatchObject({ ok: true, proposed: 1, linked: 1 });
    const gp = (await registry()).find((t) => t.name === 'Hollowmere GP')!;
    expect(a.service.registryView()[0]!.canonical).toEqual({ id: gp.id, layout: 1 });

    const b = await headset();
    await drive(b.service, 'hollowmere-gp', 5, 0);
    await drive(b.service, 'hollowmere-national', 6, 1);
    expect(b.service.listTracks().map((t) => t.name)).toEqual(['Track 1 (5.1 km)', 'Track 2 (3.8 km)']);
    const first = await b.sync();
    expect(first).toMatchObject({ ok: true, proposed: 2, linked: 2 });
    // The GP joined: B's track takes its canonical name; the National is new, under B's name.
    expect(b.service.listTracks().map((t) => t.name)).toEqual(['Hollowmere GP', 'Track 2 (3.8 km)']);

    const national = (await registry()).find((t) => t.name === 'Track 2 (3.8 km)')!;
    expect((await support.put(TRACK_API.trackName(national.id), { name: 'Hollowmere National' })).status).toBe(200);
    const second = await b.sync();
    expect(second).toMatchObject({ ok: true, proposed: 0, linked: 0 });
    expect(second.cursor).toBeGreaterThan(first.cursor);
    expect(b.service.listTracks().map((t) => t.name)).toEqual(['Hollowmere GP', 'Hollowmere National']);
    // The cursor is kept on disk (temp, fsync, rename): a restarted headset goes on from it.
    const saved = JSON.parse(await readFile(b.stateFile, 'utf8'));
    expect(saved).toEqual({ cursor: second.cursor, pending: {} });

    // A knows no National: syncing brings the change, links nothing, keeps A's names.
    expect(await a.sync()).toMatchObject({ ok: true, proposed: 0, linked: 0 });
    expect(a.service.listTracks().map((t) => t.name)).toEqual(['Hollowmere GP']);
  });

  it('a track waiting on a conflict is not sent again, and is linked once an operator resolves it', async () => {
    const gp = (await registry()).find((t) => t.name === 'Hollowmere GP')!;
    const gpSignature = await canonicalSignature(gp.id);
    const links: Record<string, { id: string; name: string; layout: number }> = {};
    const revised: { id: string; name: string; signature: TrackSignature; canonical?: { id: string; layout: number } } = {
      id: 'local-revised',
      name: 'Track 1 (5.2 km)',
      signature: withChicane(gpSignature, 70),
    };
    const tracks: RegistryTracks = {
      registryView: () => [{ ...revised, canonical: links[revised.id] && { id: links[revised.id]!.id, layout: links[revised.id]!.layout } }],
      linkCanonical: async (id, canonical) => {
        links[id] = canonical;
      },
    };
    const c = await headset(tracks);
    expect(await c.sync()).toMatchObject({ ok: true, proposed: 1, linked: 0 });
    const pending = JSON.parse(await readFile(c.stateFile, 'utf8')).pending as Record<string, string>;
    expect(Object.keys(pending)).toEqual(['local-revised']);
    expect(await c.sync()).toMatchObject({ ok: true, proposed: 0, linked: 0 });

    const conflicts = (await support.get(TRACK_API.conflicts)).json<{ conflicts: TrackConflict[] }>().conflicts;
    expect(conflicts.filter((x) => x.state === 'open').map((x) => x.id)).toEqual([pending['local-revised']]);
    expect((await support.post(TRACK_API.resolve(pending['local-revised']!), { action: 'revise' })).status).toBe(200);
    expect(await c.sync()).toMatchObject({ ok: true, proposed: 0, linked: 1 });
    const layout2 = (await registry()).find((t) => t.name === 'Hollowmere GP' && t.status === 'active')!;
    expect(links['local-revised']).toMatchObject({ id: layout2.id, name: 'Hollowmere GP', layout: 2 });
    expect(JSON.parse(await readFile(c.stateFile, 'utf8')).pending).toEqual({});
  });

  it('a server that cannot be reached ends the run with the reason, the cursor kept', async () => {
    const d = await headset();
    await drive(d.service, 'kestrel-ring', 2, 0);
    const offline = new TrackRegistrySync({
      channel: new FleetClient('http://127.0.0.1:9', {
        get: () => ({ deviceId: randomUUID(), publicKey: '' }) as never,
        sign: () => new Uint8Array(64),
      }),
      tracks: d.service,
      stateFile: d.stateFile,
      log: quiet,
    });
    const outcome = await offline.run();
    expect(outcome).toMatchObject({ ok: false, proposed: 0, cursor: 0 });
    expect(d.service.registryView()[0]!.canonical).toBeUndefined();
  });
});

/** The canonical geometry as a headset syncs it. */
async function canonicalSignature(id: string): Promise<TrackSignature> {
  const h = await headset();
  let since = 0;
  for (;;) {
    const page = await h.client.syncTracks(since);
    if (!page.ok) throw new Error('sync failed');
    const found = page.value.tracks.find((t) => t.id === id);
    if (found) return found.signature;
    if (!page.value.more) throw new Error(`no track ${id}`);
    since = page.value.cursor;
  }
}
