import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TRACK_API,
  TRACK_SYNC_PAGE,
  type TrackConflict,
  type TrackProposalResult,
  type TrackSummary,
  type TrackSyncResult,
} from '../../src/fleet/trackApi.js';
import { elsewhere, placedAt, registryTestSignature, withChicane } from '../../src/tracks/registryTestSignatures.js';
import { startFleetTestServer, type FleetTestServer } from '../../test-support/fleet/fleetTestServer.js';
import type { OperatorClient } from '../../test-support/fleet/OperatorClient.js';
import type { TestHeadset } from '../../test-support/fleet/TestHeadset.js';
import { proposeTrack, syncTracks } from '../../test-support/fleet/trackRegistryClient.js';
import { ENGINES, PREPARE_TIMEOUT_MS, TestDatabases } from '../../test-support/fleet/testDatabases.js';

const GP = registryTestSignature('hollowmere-gp', 1);
const GP_B = registryTestSignature('hollowmere-gp', 7);
const GP_C = registryTestSignature('hollowmere-gp', 11);
const NATIONAL = registryTestSignature('hollowmere-national', 2);
const KESTREL = registryTestSignature('kestrel-ring', 3);

const databases = new TestDatabases();
beforeAll(() => databases.prepare(ENGINES), PREPARE_TIMEOUT_MS);
afterAll(() => databases.close());

describe.each(ENGINES)('track registry on %s', (engine) => {
  let server: FleetTestServer;
  let support: OperatorClient;
  let viewer: OperatorClient;
  let a: TestHeadset;
  let b: TestHeadset;
  let c: TestHeadset;
  beforeAll(async () => {
    server = await startFleetTestServer(await databases.migrated(engine));
    support = await server.operator('support');
    viewer = await server.operator('viewer');
    [a, b, c] = [await server.acceptedHeadset(), await server.acceptedHeadset(), await server.acceptedHeadset()];
  });
  afterAll(() => server.close());

  const propose = async (headset: TestHeadset, name: string, signature = GP, localId?: string) => {
    const answer = await proposeTrack(server.send, headset, name, signature, localId);
    expect(answer.status, answer.text).toBe(200);
    return answer.json<TrackProposalResult>();
  };
  const tracks = async () => (await viewer.get(TRACK_API.tracks)).json<{ tracks: TrackSummary[] }>().tracks;
  const conflicts = async () => (await viewer.get(TRACK_API.conflicts)).json<{ conflicts: TrackConflict[] }>().conflicts;
  const syncAll = async (headset: TestHeadset, since: number) => {
    const seen: TrackSyncResult['tracks'] = [];
    let cursor = since;
    for (;;) {
      const page = (await syncTracks(server.send, headset, cursor)).json<TrackSyncResult>();
      expect(page.tracks.length).toBeLessThanOrEqual(TRACK_SYNC_PAGE);
      seen.push(...page.tracks);
      cursor = page.cursor;
      if (!page.more) return { seen, cursor };
    }
  };

  it('creates a track, joins the same geometry from another headset and keeps its other name as an alias', async () => {
    const created = await propose(a, 'Hollowmere Grand Prix');
    expect(created).toMatchObject({ outcome: 'created', track: { name: 'Hollowmere Grand Prix', status: 'active', layout: 1 } });
    const joined = await propose(b, 'Hollowmere', GP_B);
    expect(joined).toMatchObject({ outcome: 'joined', track: { id: created.track!.id, name: 'Hollowmere Grand Prix' } });
    // The same headset's track sent again is the same link, not another headset.
    await propose(b, 'Hollowmere', GP_B, 'b-gp');
    await propose(b, 'Hollowmere', GP_B, 'b-gp');
    const gp = (await tracks()).find((t) => t.id === created.track!.id)!;
    expect(gp).toMatchObject({ aliases: ['Hollowmere'], headsets: 2, direction: 'anticlockwise' });
    expect(gp.outline).toHaveLength(64);
    // What operators see has no position on Earth: whole metres around the track's centre.
    expect(gp.outline.flat().every((v) => Number.isInteger(v) && Math.abs(v) < 5000)).toBe(true);
  });

  it('tells another layout of the venue under the same name apart by its length; another venue keeps the name', async () => {
    const national = await propose(c, 'Hollowmere Grand Prix', NATIONAL);
    expect(national).toMatchObject({ outcome: 'created', track: { name: 'Hollowmere Grand Prix (3.8 km)' } });
    const far = await propose(c, 'Hollowmere Grand Prix', elsewhere(KESTREL, 3));
    expect(far).toMatchObject({ outcome: 'created', track: { name: 'Hollowmere Grand Prix' } });
  });

  it('holds a near layout until a second headset agrees, then revises the track and retires the old layout', async () => {
    const gpId = (await tracks()).find((t) => t.name === 'Hollowmere Grand Prix' && t.lengthM > 5000)!.id;
    const first = await propose(a, 'Track 2 (5.2 km)', withChicane(GP, 70), 'a-new');
    expect(first).toMatchObject({ outcome: 'pending', track: null });
    expect((await propose(a, 'Track 2 (5.2 km)', withChicane(GP, 70), 'a-new')).conflictId).toBe(first.conflictId);
    const open = (await conflicts()).find((x) => x.id === first.conflictId)!;
    expect(open).toMatchObject({ kind: 'revised-layout', state: 'open', trackId: gpId, trackName: 'Hollowmere Grand Prix' });
    expect(open.distanceM).toBeGreaterThan(40);

    const revised = await propose(b, 'x', withChicane(GP_B, 70));
    expect(revised).toMatchObject({ outcome: 'revised', track: { name: 'Hollowmere Grand Prix', layout: 2, status: 'active' } });
    const all = await tracks();
    expect(all.find((t) => t.id === gpId)).toMatchObject({ status: 'retired', supersededBy: revised.track!.id });
    expect(all.find((t) => t.id === revised.track!.id)).toMatchObject({ headsets: 2 });
    expect((await conflicts()).find((x) => x.id === first.conflictId)).toMatchObject({ state: 'resolved', resolution: 'auto-revised' });
    // The old layout still joins its own track: laps on it stay there.
    expect(await propose(c, 'x', GP_C)).toMatchObject({ outcome: 'joined', track: { id: gpId, status: 'retired' } });
  });

  it('syncs incrementally from a cursor, a page at a time, a rename coming as a change', async () => {
    for (let k = 1; k <= TRACK_SYNC_PAGE + 2; k++) await propose(a, `Kestrel ${k}`, elsewhere(KESTREL, k * 0.3 + 10));
    const full = await syncAll(c, 0);
    expect(new Set(full.seen.map((t) => t.id)).size).toBe((await tracks()).length);
    expect((await syncAll(c, full.cursor)).seen).toEqual([]);

    const national = (await tracks()).find((t) => t.name === 'Hollowmere Grand Prix (3.8 km)')!;
    const renamed = await support.put(TRACK_API.trackName(national.id), { name: 'Hollowmere National' });
    expect(renamed.json()).toMatchObject({ name: 'Hollowmere National' });
    const changes = await syncAll(c, full.cursor);
    expect(changes.seen.map((t) => [t.id, t.name])).toEqual([[national.id, 'Hollowmere National']]);
    expect(changes.cursor).toBeGreaterThan(full.cursor);

    const clash = await support.put(TRACK_API.trackName(national.id), { name: 'hollowmere grand prix' });
    expect([clash.status, clash.json().code]).toEqual([409, 'TRACK_NAME_TAKEN']);
  });

  it('leaves a name taken twice at the venue to an operator, who names the track; a conflict is resolved once', async () => {
    // Kestrel's outline laid at Hollowmere: far from every layout there, under a taken name.
    const kart = await propose(c, 'Hollowmere National', placedAt(KESTREL, NATIONAL.origin));
    expect(kart).toMatchObject({ outcome: 'created', track: { name: 'Hollowmere National (2.2 km)' } });
    // The same outline turned a quarter: another layout, and both its names are taken there.
    const turned = await propose(c, 'Hollowmere National', placedAt(KESTREL, NATIONAL.origin, Math.PI / 2), 'c-turned');
    expect(turned).toMatchObject({ outcome: 'pending', track: null });
    const conflict = (await conflicts()).find((x) => x.id === turned.conflictId)!;
    expect(conflict).toMatchObject({ kind: 'name-taken', state: 'open', trackId: kart.track!.id, distanceM: null });

    const wrong = await support.post(TRACK_API.resolve(conflict.id), { action: 'revise' });
    expect([wrong.status, wrong.json().code]).toEqual([409, 'TRACK_RESOLUTION_INVALID']);
    expect((await support.post(TRACK_API.resolve(conflict.id), { action: 'new' })).json().code).toBe('TRACK_RESOLUTION_INVALID');
    const taken = await support.post(TRACK_API.resolve(conflict.id), { action: 'new', name: 'hollowmere national' });
    expect([taken.status, taken.json().code]).toEqual([409, 'TRACK_NAME_TAKEN']);
    const named = await support.post(TRACK_API.resolve(conflict.id), { action: 'new', name: 'Hollowmere Kart' });
    expect(named.json()).toMatchObject({ state: 'resolved', resolution: 'new', resolvedBy: expect.stringMatching(/^support/) });
    const made = (await tracks()).find((t) => t.name === 'Hollowmere Kart')!;
    expect(made).toMatchObject({ headsets: 1, status: 'active' });
    expect(named.json()).toMatchObject({ resultTrackId: made.id });
    const twice = await support.post(TRACK_API.resolve(conflict.id), { action: 'dismiss' });
    expect([twice.status, twice.json().code]).toEqual([409, 'TRACK_CONFLICT_RESOLVED']);
  });

  it('an operator decides a near layout before a second headset: joined to the track, or dismissed', async () => {
    const brackenfield = await propose(a, 'Brackenfield', registryTestSignature('brackenfield-park', 4), 'a-bp');
    const near = await propose(c, 'Track 9 (6.9 km)', withChicane(registryTestSignature('brackenfield-park', 6), 70), 'c-bp');
    expect(near.outcome).toBe('pending');
    const joined = await support.post(TRACK_API.resolve(near.conflictId!), { action: 'join' });
    expect(joined.json()).toMatchObject({ resolution: 'join', resultTrackId: brackenfield.track!.id });
    expect((await tracks()).find((t) => t.id === brackenfield.track!.id)).toMatchObject({ headsets: 2, status: 'active', layout: 1 });
    const other = await propose(b, 'Track 4 (6.9 km)', withChicane(registryTestSignature('brackenfield-park', 8), -70), 'b-bp');
    const dismissed = await support.post(TRACK_API.resolve(other.conflictId!), { action: 'dismiss' });
    expect(dismissed.json()).toMatchObject({ resolution: 'dismiss', resultTrackId: null });
  });

  it('refuses a signature inconsistent with itself, extra fields (a trace) and unsigned requests', async () => {
    const wrongLength = await proposeTrack(server.send, a, 'x', { ...GP, lengthM: GP.lengthM * 1.5 });
    expect([wrongLength.status, wrongLength.json().code]).toEqual([400, 'TRACK_SIGNATURE_INVALID']);
    const wrongCells = await proposeTrack(server.send, a, 'x', { ...GP, cells: KESTREL.cells });
    expect(wrongCells.json().code).toBe('TRACK_SIGNATURE_INVALID');
    const clockwise = await proposeTrack(server.send, a, 'x', { ...GP, points: reversePoints(GP.points) });
    expect(clockwise.json().code).toBe('TRACK_SIGNATURE_INVALID');
    const withTrace = await proposeTrack(server.send, a, 'x', { ...GP, trace: [{ lat: 1, lon: 2 }] } as typeof GP);
    expect([withTrace.status, withTrace.json().code]).toEqual([400, 'INVALID_INPUT']);
    const unsigned = await server.send({
      method: 'POST',
      url: TRACK_API.sync,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ since: 0 }),
    });
    expect([unsigned.status, unsigned.json().code]).toEqual([401, 'SIGNATURE_MISSING']);
    const pending = server.headset();
    await pending.register();
    expect((await syncTracks(server.send, pending, 0)).json().code).toBe('REGISTRATION_PENDING');
    expect((await support.put(TRACK_API.trackName(crypto.randomUUID()), { name: 'x' })).json().code).toBe('TRACK_NOT_FOUND');
    expect((await support.post(TRACK_API.resolve(crypto.randomUUID()), { action: 'dismiss' })).json().code).toBe('TRACK_CONFLICT_NOT_FOUND');
    expect((await viewer.post(TRACK_API.resolve(crypto.randomUUID()), { action: 'dismiss' })).json().code).toBe('ROLE_REQUIRED');
  });

  it('two headsets sending one new circuit at once make one track', async () => {
    const venue = (seed: number) => elsewhere(registryTestSignature('brackenfield-park', seed), -20);
    const [x, y] = await Promise.all([propose(a, 'Brackenfield South', venue(4)), propose(b, 'Brackenfield Park South', venue(5))]);
    expect([x.outcome, y.outcome].sort()).toEqual(['created', 'joined']);
    expect(x.track!.id).toBe(y.track!.id);
  });
});

function reversePoints(points: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = points.length - 2; i >= 0; i -= 2) out.push(points[i]!, points[i + 1]!);
  return out;
}
