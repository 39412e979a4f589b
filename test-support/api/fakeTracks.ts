import type { Session, SessionSummary, Track, TracksStatus } from '../../src/api/contract/tracks.js';
import { StateChannel } from '../../src/api/stateChannel.js';
import { SessionRecorder } from '../../src/tracks/sessionRecorder.js';
import { sessionBests, type KeptLap } from '../../src/tracks/sessionSummary.js';
import { syntheticCircuit } from '../../src/tracks/syntheticCircuits.js';
import { synthesizeDrive } from '../../src/tracks/syntheticDrive.js';
import { checkSessionEnded, checkTrackName, requireSession, requireTrack } from '../../src/tracks/trackGuards.js';
import { trackOutline } from '../../src/tracks/trackOutline.js';
import { trackSignature } from '../../src/tracks/trackSignature.js';

interface FakeSession {
  id: string;
  trackId: string;
  startedAt: number;
  endedAt: number;
  laps: KeptLap[];
}

/**
 * The fake device's tracks: one session on Kestrel Ring, timed by the real lap timer and session
 * recorder (src/tracks/) from a synthetic drive, the track learned from its first loop; kept in
 * memory. Built on first use (a drive is some milliseconds of work most tests do not need).
 */
export function createFakeTracks() {
  const channel = new StateChannel<TracksStatus>({ recording: 'idle', session: null, lastLapMs: null, tracks: 1, sessions: 1 });
  let world: { tracks: (Track & { line: { lat: number; lon: number } })[]; sessions: FakeSession[] } | undefined;
  const data = () => {
    if (world) return world;
    const circuit = syntheticCircuit('kestrel-ring')!;
    const startAt = Date.parse('2026-11-28T10:00:00Z');
    let learned: Track & { line: { lat: number; lon: number } } = undefined!;
    const recorder = new SessionRecorder((loop) => {
      const signature = trackSignature(loop.fixes);
      learned = {
        id: 't-kestrel',
        name: 'Kestrel Ring',
        lengthM: Math.round(signature.lengthM),
        direction: signature.direction,
        outline: trackOutline(signature, loop.line.at),
        learnedAt: new Date(loop.fixes[loop.fixes.length - 1]!.t).toISOString(),
        sessions: 1,
        bestLapMs: null,
        line: loop.line.at,
      };
      return { id: learned.id, line: loop.line, sectors: loop.sectors };
    });
    const laps = synthesizeDrive(circuit, { laps: 5, pitStopsAfterLaps: [3], seed: 16, rateHz: 1, startAt }).flatMap((fix) => recorder.push(fix));
    const kept: KeptLap[] = laps.map(({ number, startedAt, timeMs, sectorsMs, distanceM, pit, valid, profile }) => ({
      number,
      startedAt: Math.round(startedAt),
      timeMs: Math.round(timeMs),
      sectorsMs: sectorsMs?.map(Math.round) ?? null,
      distanceM: Math.round(distanceM),
      pit,
      valid,
      profile,
    }));
    learned.bestLapMs = sessionBests(kept).bestLap?.timeMs ?? null;
    const last = kept[kept.length - 1]!;
    world = {
      tracks: [learned],
      sessions: [{ id: 's-kestrel-1', trackId: learned.id, startedAt: startAt, endedAt: last.startedAt + last.timeMs, laps: kept }],
    };
    return world;
  };
  const track = (id: string) =>
    requireTrack(
      data().tracks.find((t) => t.id === id),
      id,
    );
  const summary = (s: FakeSession): SessionSummary => ({
    id: s.id,
    trackId: s.trackId,
    trackName: data().tracks.find((t) => t.id === s.trackId)?.name ?? null,
    startedAt: new Date(s.startedAt).toISOString(),
    endedAt: new Date(s.endedAt).toISOString(),
    live: false,
    laps: s.laps.length,
    bestLapMs: sessionBests(s.laps).bestLap?.timeMs ?? null,
  });
  const view = ({ line: _line, ...t }: Track & { line: unknown }): Track => t;
  const publish = () => channel.set({ ...channel.current()!, tracks: data().tracks.length, sessions: data().sessions.length });
  const handlers = {
    'tracks.status': () => channel.current()!,
    'tracks.list': () => data().tracks.map(view),
    'tracks.sessions': ({ trackId }: { trackId?: string }) => {
      if (trackId !== undefined) track(trackId);
      return data()
        .sessions.filter((s) => trackId === undefined || s.trackId === trackId)
        .map(summary);
    },
    'tracks.session': ({ id }: { id: string }): Session => {
      const s = requireSession(
        data().sessions.find((x) => x.id === id),
        id,
      );
      const bests = sessionBests(s.laps);
      return {
        ...summary(s),
        lapList: s.laps.map(({ profile: _profile, ...lap }) => ({ ...lap, startedAt: new Date(lap.startedAt).toISOString() })),
        bestLapNumber: bests.bestLap?.number ?? null,
        bestSectorsMs: bests.bestSectorsMs,
        theoreticalBestMs: bests.theoreticalBestMs,
      };
    },
    'tracks.rename': ({ id, name }: { id: string; name: string }) => {
      const t = track(id);
      t.name = checkTrackName(name, data().tracks, id);
      publish();
      return view(t);
    },
    'tracks.deleteSession': ({ id }: { id: string }) => {
      requireSession(
        data().sessions.find((x) => x.id === id),
        id,
      );
      checkSessionEnded(false, id);
      data().sessions = data().sessions.filter((x) => x.id !== id);
      publish();
      return { deleted: true as const };
    },
  };
  return { channel, handlers };
}
