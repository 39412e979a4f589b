import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/api/errors.js';
import type { TrackFix } from '../../../src/tracks/geo.js';
import { reversedCircuit, syntheticCircuit } from '../../../src/tracks/syntheticCircuits.js';
import { synthesizeDrive, type DriveOptions } from '../../../src/tracks/syntheticDrive.js';
import { TracksService } from './TracksService.js';
import { TrackStore } from './TrackStore.js';

const root = mkdtempSync(join(tmpdir(), 'tracks-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function rig(dir = join(root, `h${n++}`), clock = { now: 0 }) {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const log = {
    info: (msg: string, fields?: Record<string, unknown>) => lines.push({ level: 'info', msg, fields }),
    warn: (msg: string, fields?: Record<string, unknown>) => lines.push({ level: 'warn', msg, fields }),
  };
  const dirs = { tracks: join(dir, 'tracks'), sessions: join(dir, 'sessions') };
  const service = new TracksService({ store: new TrackStore(dirs), log, now: () => clock.now, idleEndMs: 5 * 60_000 });
  return { dir, dirs, service, lines, clock };
}

function drive(circuitId: string, options: Partial<DriveOptions> & { startAt: number; reversed?: boolean }): TrackFix[] {
  const base = syntheticCircuit(circuitId)!;
  return synthesizeDrive(options.reversed ? reversedCircuit(base) : base, { laps: 3, seed: 1, rateHz: 10, dropoutsPerLap: 0.3, ...options });
}

/** Feeds fixes as the GPS service hands them on: about a second's worth at a time. */
function feed(service: TracksService, fixes: TrackFix[]): void {
  for (let i = 0; i < fixes.length; i += 10) service.accept(fixes.slice(i, i + 10));
}

const DAY = 24 * 3600_000;
const T0 = Date.parse('2026-09-05T09:00:00Z');

describe('TracksService', () => {
  it('learns a circuit on the first session, recognises it on the next (another headset, rate, noise), and learns the other layout apart', async () => {
    const { service } = rig();
    await service.load();
    feed(service, drive('hollowmere-gp', { startAt: T0, seed: 3, pitStopsAfterLaps: [2] }));
    await service.stop();
    feed(service, drive('hollowmere-gp', { startAt: T0 + DAY, seed: 4, rateHz: 1, noiseM: 2, biasM: 2.5 }));
    await service.stop();
    feed(service, drive('hollowmere-national', { startAt: T0 + 2 * DAY, seed: 5 }));
    await service.stop();

    const tracks = service.listTracks();
    expect(tracks.map((t) => [t.name, t.sessions])).toEqual([
      ['Track 1 (5.1 km)', 2],
      ['Track 2 (3.8 km)', 1],
    ]);
    const sessions = service.listSessions();
    expect(sessions.map((s) => s.trackName)).toEqual(['Track 2 (3.8 km)', 'Track 1 (5.1 km)', 'Track 1 (5.1 km)']);
    expect(sessions.every((s) => !s.live && s.endedAt !== null)).toBe(true);
    // The first loop closes after the pit exit: the laps from that line on, the in-lap to the box excluded.
    expect(sessions.map((s) => s.laps)).toEqual([3, 3, 3]);
    const first = service.session(sessions[2]!.id);
    expect(first.lapList.filter((l) => l.pit)).toHaveLength(1);
    expect(first.bestLapNumber).not.toBeNull();
    const best = first.lapList.find((l) => l.number === first.bestLapNumber)!;
    expect(best.valid).toBe(true);
    expect(Math.min(...first.lapList.filter((l) => l.valid).map((l) => l.timeMs))).toBe(best.timeMs);
    expect(first.bestSectorsMs).toHaveLength(3);
    expect(first.theoreticalBestMs).toBeLessThanOrEqual(best.timeMs);
    expect(tracks[0]!.bestLapMs).toBe(Math.min(sessions[1]!.bestLapMs!, sessions[2]!.bestLapMs!));
    expect(tracks[0]!.outline).toHaveLength(64);
  });

  it('hands out no position: tracks, sessions and the status carry no coordinates of the venue', async () => {
    const { service } = rig();
    await service.load();
    const fixes = drive('kestrel-ring', { startAt: T0, seed: 7 });
    feed(service, fixes.slice(0, Math.floor(fixes.length * 0.8)));
    const everything = JSON.stringify([
      service.listTracks(),
      service.listSessions(),
      service.session(service.listSessions()[0]!.id),
      service.status.current(),
    ]);
    // Every number but the times (ISO 8601 strings): none is the venue's latitude or longitude, even to a kilometre.
    const numbers = (everything.replace(/"\d{4}-\d\d-\d\dT[^"]+"/g, '""').match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
    const venue = syntheticCircuit('kestrel-ring')!.origin;
    expect(numbers.filter((x) => Math.abs(x - venue.lat) < 0.01 || Math.abs(x - venue.lon) < 0.01)).toEqual([]);
    await service.stop();
  });

  it('keeps each lap as it is completed: after a power cut the session is there up to its last lap', async () => {
    const first = rig();
    await first.service.load();
    const fixes = drive('kestrel-ring', { startAt: T0, seed: 8 });
    feed(first.service, fixes.slice(0, Math.floor(fixes.length * 0.7)));
    const lapsBefore = first.service.status.current()!.session!.laps;
    expect(lapsBefore).toBeGreaterThanOrEqual(1);
    await first.service.idle(); // what reached the disk; no stop(): the power is cut
    const second = rig(first.dir);
    await second.service.load();
    const [session] = second.service.listSessions();
    expect(session!.laps).toBe(lapsBefore);
    expect(session!.live).toBe(false);
    expect(session!.endedAt).not.toBeNull();
    expect(second.service.listTracks()).toHaveLength(1);
  });

  it('skips a file it cannot read, and says so', async () => {
    const { dir, dirs } = rig();
    const seed = rig(dir);
    await seed.service.load();
    feed(seed.service, drive('kestrel-ring', { startAt: T0, seed: 9 }));
    await seed.service.stop();
    writeFileSync(join(dirs.sessions, 's-broken.json'), '{"id": ');
    const again = rig(dir);
    await again.service.load();
    expect(again.service.listSessions()).toHaveLength(1);
    expect(again.lines).toContainEqual({ level: 'warn', msg: 'skipped an unreadable file', fields: { file: 's-broken.json' } });
  });

  it('ends a session after standing still, and after the GPS went quiet', async () => {
    const { service, clock } = rig();
    await service.load();
    const fixes = drive('kestrel-ring', { startAt: T0, seed: 10, laps: 1 });
    feed(service, fixes);
    expect(service.status.current()!.recording).not.toBe('idle');
    // Standing in the box: the fixes go on, the car does not move.
    const box = fixes[fixes.length - 1]!;
    service.accept([{ ...box, t: box.t + 6 * 60_000, speed: 0 }]);
    expect(service.status.current()!.recording).toBe('idle');
    // The GPS goes quiet in the middle of a session: the wall clock ends it.
    clock.now = 1_000;
    feed(service, drive('kestrel-ring', { startAt: T0 + DAY, seed: 11 }).slice(0, 2000));
    expect(service.status.current()!.recording).not.toBe('idle');
    clock.now += 4 * 60_000;
    service.checkIdle();
    expect(service.status.current()!.recording).not.toBe('idle');
    clock.now += 2 * 60_000;
    service.checkIdle();
    expect(service.status.current()!.recording).toBe('idle');
    await service.stop();
    expect(service.listSessions()).toHaveLength(2);
  });

  it('starts no session from a walk about the paddock', async () => {
    const { service, dirs } = rig();
    await service.load();
    const walk = Array.from({ length: 600 }, (_, i) => ({
      t: T0 + i * 1000,
      lat: 52 + 0.0002 * Math.sin(i / 120),
      lon: -1 + 0.0003 * Math.cos(i / 120),
    }));
    feed(service, walk);
    await service.stop();
    expect(service.listSessions()).toEqual([]);
    expect(() => readdirSync(dirs.sessions)).toThrow();
  });

  it('renames a track, refuses a name taken, refuses to delete the live session, deletes an ended one', async () => {
    const { service, dirs } = rig();
    await service.load();
    feed(service, drive('kestrel-ring', { startAt: T0, seed: 12 }));
    await service.stop();
    feed(service, drive('hollowmere-national', { startAt: T0 + DAY, seed: 13 }));
    await service.stop();
    const [kestrel, national] = service.listTracks();
    expect((await service.rename(kestrel!.id, '  Kestrel Ring ')).name).toBe('Kestrel Ring');
    await expect(service.rename(national!.id, 'kestrel ring')).rejects.toMatchObject({ code: 'TRACK_NAME_TAKEN' });
    await expect(service.rename('t-nope', 'X')).rejects.toMatchObject({ code: 'TRACK_NOT_FOUND' });
    expect(() => service.session('s-nope')).toThrow(AppError);
    expect(() => service.listSessions('t-nope')).toThrow(expect.objectContaining({ code: 'TRACK_NOT_FOUND' }));

    const fixes = drive('kestrel-ring', { startAt: T0 + 2 * DAY, seed: 14 });
    feed(service, fixes.slice(0, 3000));
    const live = service.status.current()!.session!;
    expect(service.listSessions(kestrel!.id).map((s) => s.id)).toContain(live.id);
    await expect(service.deleteSession(live.id)).rejects.toMatchObject({ code: 'TRACK_SESSION_LIVE' });
    await service.stop();
    await service.deleteSession(live.id);
    expect(service.listSessions().map((s) => s.id)).not.toContain(live.id);
    expect(readdirSync(dirs.sessions)).not.toContain(`${live.id}.json`);
    await expect(service.deleteSession(live.id)).rejects.toMatchObject({ code: 'TRACK_SESSION_NOT_FOUND' });
  });
});
