import { randomBytes } from 'node:crypto';
import type { Lap, Session, SessionSummary, Track, TracksStatus } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { errorMessage } from '../../../src/errorText.js';
import type { TrackFix } from '../../../src/tracks/geo.js';
import type { TimedLap } from '../../../src/tracks/lapTimer.js';
import { SessionRecorder, type TimedTrack } from '../../../src/tracks/sessionRecorder.js';
import { sessionBests, type KeptLap } from '../../../src/tracks/sessionSummary.js';
import { checkSessionEnded, checkTrackName, requireSession, requireTrack } from '../../../src/tracks/trackGuards.js';
import { trackOutline } from '../../../src/tracks/trackOutline.js';
import { matchSignature, trackSignature } from '../../../src/tracks/trackSignature.js';
import type { StoredSession, StoredTrack, TrackStore } from './TrackStore.js';

export interface TracksLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface TracksServiceOptions {
  store: TrackStore;
  log: TracksLog;
  /** Wall clock, for a session that gets no fix any more (the GPS lost, the headset indoors). */
  now?: () => number;
  /** A session ends after this long standing or without a fix. */
  idleEndMs?: number;
}

/** A session starts when the car moves faster than this (walking about the paddock is no session). */
const DRIVING_MPS = 8;
const DEFAULT_IDLE_END_MS = 10 * 60_000;

interface LiveSession {
  stored: StoredSession;
  recorder: SessionRecorder;
  /** Receiver time of the last fix, and of the last fix moving. */
  lastFixAt: number;
  lastMovingAt: number;
  /** Wall time of the last fix (for a GPS that went quiet). */
  lastSeenAt: number;
}

/**
 * Sessions from the GPS, and the tracks they run on:
 *
 *   idle --a fix faster than 8 m/s--> recording{learning | timing}
 *     ^                                    |
 *     +-- standing or no fix for idleEndMs, or stop() --+   (the session is saved and ends)
 *
 * While learning, the recorder waits for the first closed loop; this service then matches the loop's
 * signature against the tracks it keeps (a known circuit keeps its lines and its name) or learns a
 * new track. Each lap is saved as it is completed, so a power cut loses at most the lap under way.
 * Positions stay in here and in the track files: what the API hands out has none.
 */
export class TracksService {
  readonly status = new StateChannel<TracksStatus>();
  private tracks: StoredTrack[] = [];
  private sessions: StoredSession[] = [];
  private live: LiveSession | null = null;
  private lastLapMs: number | null = null;
  private writes: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly idleEndMs: number;

  constructor(private readonly options: TracksServiceOptions) {
    this.now = options.now ?? Date.now;
    this.idleEndMs = options.idleEndMs ?? DEFAULT_IDLE_END_MS;
  }

  async load(): Promise<void> {
    const tracks = await this.options.store.loadTracks();
    const sessions = await this.options.store.loadSessions();
    for (const name of [...tracks.unreadable, ...sessions.unreadable]) this.options.log.warn('skipped an unreadable file', { file: name });
    this.tracks = tracks.items;
    // A session a power cut interrupted ends where its last lap did.
    this.sessions = sessions.items.map((s) => (s.endedAt === null ? { ...s, endedAt: lastLapEnd(s) ?? s.startedAt } : s));
    this.publish();
  }

  /** Feeds the GPS's fixes (in time order). */
  accept(fixes: readonly TrackFix[]): void {
    for (const fix of fixes) this.acceptOne(fix);
    this.publish();
  }

  /** Ends a session that has had no fix for the idle time (the GPS went quiet). */
  checkIdle(): void {
    if (this.live && this.now() - this.live.lastSeenAt >= this.idleEndMs) {
      this.end();
      this.publish();
    }
  }

  /** Ends the session under way (an orderly stop) and waits for every write. */
  async stop(): Promise<void> {
    if (this.live) this.end();
    this.publish();
    await this.writes;
  }

  /** Waits for the writes queued so far. */
  idle(): Promise<void> {
    return this.writes;
  }

  listTracks(): Track[] {
    return this.tracks.map((t) => this.trackView(t));
  }

  listSessions(trackId?: string): SessionSummary[] {
    if (trackId !== undefined)
      requireTrack(
        this.tracks.find((t) => t.id === trackId),
        trackId,
      );
    return this.sessions
      .filter((s) => trackId === undefined || s.trackId === trackId)
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((s) => this.summary(s));
  }

  session(id: string): Session {
    const stored = requireSession(
      this.sessions.find((s) => s.id === id),
      id,
    );
    const { bestLap, bestSectorsMs, theoreticalBestMs } = sessionBests(stored.laps);
    return {
      ...this.summary(stored),
      lapList: stored.laps.map(lapView),
      bestLapNumber: bestLap?.number ?? null,
      bestSectorsMs,
      theoreticalBestMs,
    };
  }

  async rename(id: string, name: string): Promise<Track> {
    const track = requireTrack(
      this.tracks.find((t) => t.id === id),
      id,
    );
    track.name = checkTrackName(name, this.tracks, id);
    await this.queue(() => this.options.store.saveTrack(track));
    this.publish();
    return this.trackView(track);
  }

  /** What the fleet registry needs of each track: its id, name, signature and link (positions stay here). */
  registryView(): { id: string; name: string; signature: StoredTrack['signature']; canonical: StoredTrack['canonical'] }[] {
    return this.tracks.map((t) => ({ id: t.id, name: t.name, signature: t.signature, canonical: t.canonical }));
  }

  /**
   * Links a track to the registry's canonical one: it takes its id and name (unless another track on
   * the headset already has that name: then its own stays, and the log says so).
   */
  async linkCanonical(id: string, canonical: { id: string; name: string; layout: number }): Promise<void> {
    const track = this.tracks.find((t) => t.id === id);
    if (!track) return;
    const clash = this.tracks.some((t) => t.id !== id && t.name.trim().toLocaleLowerCase() === canonical.name.trim().toLocaleLowerCase());
    const name = clash ? track.name : canonical.name;
    if (track.canonical?.id === canonical.id && track.canonical.layout === canonical.layout && track.name === name) return;
    if (clash) this.options.log.warn('kept the track name: another track has the canonical one', { track: id, canonical: canonical.id });
    track.canonical = { id: canonical.id, layout: canonical.layout };
    track.name = name;
    await this.queue(() => this.options.store.saveTrack(track));
    this.publish();
  }

  async deleteSession(id: string): Promise<void> {
    requireSession(
      this.sessions.find((s) => s.id === id),
      id,
    );
    checkSessionEnded(this.live?.stored.id === id, id);
    this.sessions = this.sessions.filter((s) => s.id !== id);
    await this.queue(() => this.options.store.deleteSession(id));
    this.publish();
  }

  private acceptOne(fix: TrackFix): void {
    const moving = fix.speed !== undefined ? fix.speed >= DRIVING_MPS : false;
    let live = this.live;
    if (live && (fix.t - live.lastMovingAt >= this.idleEndMs || fix.t <= live.lastFixAt - this.idleEndMs)) {
      this.end();
      live = null;
    }
    if (!live) {
      if (!moving) return;
      live = this.begin(fix);
    }
    live.lastFixAt = Math.max(live.lastFixAt, fix.t);
    live.lastSeenAt = this.now();
    if (moving || (fix.speed ?? 0) >= 1) live.lastMovingAt = fix.t;
    const laps = live.recorder.push(fix);
    if (live.stored.trackId === null && live.recorder.trackId !== null) live.stored.trackId = live.recorder.trackId;
    if (laps.length === 0) return;
    live.stored.laps.push(...laps.map(keptLap));
    this.lastLapMs = laps[laps.length - 1]!.timeMs;
    const snapshot = structuredClone(live.stored);
    void this.queue(() => this.options.store.saveSession(snapshot));
  }

  private begin(fix: TrackFix): LiveSession {
    const stored: StoredSession = { id: newId('s', fix.t), trackId: null, startedAt: fix.t, endedAt: null, laps: [] };
    this.sessions.push(stored);
    const live: LiveSession = {
      stored,
      recorder: new SessionRecorder((loop) => this.identify(loop)),
      lastFixAt: fix.t,
      lastMovingAt: fix.t,
      lastSeenAt: this.now(),
    };
    this.live = live;
    this.lastLapMs = null;
    this.options.log.info('session started', { session: stored.id });
    const snapshot = structuredClone(stored);
    void this.queue(() => this.options.store.saveSession(snapshot));
    return live;
  }

  private end(): void {
    const live = this.live!;
    this.live = null;
    live.stored.endedAt = lastLapEnd(live.stored) ?? live.lastFixAt;
    this.options.log.info('session ended', { session: live.stored.id, laps: live.stored.laps.length });
    const snapshot = structuredClone(live.stored);
    void this.queue(() => this.options.store.saveSession(snapshot));
  }

  /** The first loop of a session closed: a track the headset knows by its geometry, or a new one. */
  private identify(loop: { fixes: TrackFix[]; line: TimedTrack['line']; sectors: TimedTrack['sectors'] }): TimedTrack {
    const signature = trackSignature(loop.fixes);
    const match = matchSignature(
      signature,
      this.tracks.map((t) => t.signature),
    );
    if (match) {
      const known = this.tracks[match.index]!;
      this.options.log.info('track recognised', { track: known.id, distanceM: Math.round(match.distanceM), sameDirection: match.sameDirection });
      return known;
    }
    const track: StoredTrack = {
      id: newId('t', loop.fixes[0]!.t),
      name: this.newTrackName(signature.lengthM),
      learnedAt: loop.fixes[loop.fixes.length - 1]!.t,
      signature,
      line: loop.line,
      sectors: loop.sectors,
    };
    this.tracks.push(track);
    this.options.log.info('track learned', { track: track.id, lengthM: Math.round(signature.lengthM) });
    void this.queue(() => this.options.store.saveTrack(track));
    return track;
  }

  private newTrackName(lengthM: number): string {
    const km = (lengthM / 1000).toFixed(1);
    for (let n = this.tracks.length + 1; ; n++) {
      const name = `Track ${n} (${km} km)`;
      if (!this.tracks.some((t) => t.name === name)) return name;
    }
  }

  private queue(write: () => Promise<void>): Promise<void> {
    const next = this.writes.then(write);
    this.writes = next.catch((error: unknown) => this.options.log.warn('could not save', { error: errorMessage(error) }));
    return next;
  }

  private summary(session: StoredSession): SessionSummary {
    const track = this.tracks.find((t) => t.id === session.trackId);
    const { bestLap } = sessionBests(session.laps);
    return {
      id: session.id,
      trackId: session.trackId,
      trackName: track?.name ?? null,
      startedAt: new Date(session.startedAt).toISOString(),
      endedAt: session.endedAt === null ? null : new Date(session.endedAt).toISOString(),
      live: this.live?.stored === session,
      laps: session.laps.length,
      bestLapMs: bestLap?.timeMs ?? null,
    };
  }

  /** A track as the API shows it: map-free (its outline in metres around its own centre), never a position. */
  private trackView(track: StoredTrack): Track {
    const sig = track.signature;
    const outline = trackOutline(sig, track.line.at);
    const sessions = this.sessions.filter((s) => s.trackId === track.id);
    const best = sessions.map((s) => sessionBests(s.laps).bestLap?.timeMs).filter((t): t is number => t !== undefined);
    return {
      id: track.id,
      name: track.name,
      lengthM: Math.round(sig.lengthM),
      direction: sig.direction,
      outline,
      learnedAt: new Date(track.learnedAt).toISOString(),
      sessions: sessions.length,
      bestLapMs: best.length > 0 ? Math.min(...best) : null,
    };
  }

  private publish(): void {
    const live = this.live;
    this.status.set({
      recording: live === null ? 'idle' : live.recorder.status,
      session: live === null ? null : this.summary(live.stored),
      lastLapMs: live === null ? null : this.lastLapMs,
      tracks: this.tracks.length,
      sessions: this.sessions.length,
    });
  }
}

function keptLap(lap: TimedLap): KeptLap {
  return {
    number: lap.number,
    startedAt: Math.round(lap.startedAt),
    timeMs: Math.round(lap.timeMs),
    sectorsMs: lap.sectorsMs?.map(Math.round) ?? null,
    distanceM: Math.round(lap.distanceM),
    pit: lap.pit,
    valid: lap.valid,
    profile: lap.profile,
  };
}

function lapView(lap: KeptLap): Lap {
  return {
    number: lap.number,
    startedAt: new Date(lap.startedAt).toISOString(),
    timeMs: lap.timeMs,
    sectorsMs: lap.sectorsMs,
    distanceM: lap.distanceM,
    pit: lap.pit,
    valid: lap.valid,
  };
}

function lastLapEnd(session: StoredSession): number | null {
  const last = session.laps[session.laps.length - 1];
  return last ? last.startedAt + last.timeMs : null;
}

function newId(prefix: 's' | 't', at: number): string {
  return `${prefix}-${Math.max(0, Math.round(at)).toString(36)}-${randomBytes(3).toString('hex')}`;
}
