import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../storage/atomicFile.js';
import type { GpsHealth, GpsHealthSource } from '../health/ports.js';
import type { TrackFix } from '../../../src/tracks/geo.js';
import { startKind, type GpsPosition, type GpsReading, type GpsReceiver, type GpsStart } from './ports.js';

/**
 * The GPS subsystem's state:
 *
 *   off --start()--> searching{since, start} --fix--> locked{timeToLockMs, start}
 *                        ^                               |
 *                        +---------- fix lost -----------+   (stop() from any state -> off)
 */
export type GpsState =
  | { status: 'off' }
  | { status: 'searching'; since: number; start: GpsStart; satellites: number }
  | { status: 'locked'; since: number; start: GpsStart; timeToLockMs: number; satellites: number };

export interface GpsLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface GpsServiceOptions {
  /** Where the service keeps when it last had a fix (never where). */
  stateFile: string;
  log: GpsLog;
  now?: () => number;
  /** How often the receiver is read (receivers report once a second). */
  pollMs?: number;
}

/** While locked, the time of the last fix is saved this often, so the next start is classified right. */
const SAVE_WHILE_LOCKED_MS = 10 * 60_000;

/**
 * Drives the receiver, measures time-to-lock on every (re)acquisition (from the start of the search,
 * or from when a blind receiver sees satellites again: time spent indoors is not slowness) and logs it
 * (`gps` / `fix acquired` with timeToLockMs, satellites, start: the numbers insights are mined
 * from), and reports the lock into the health snapshot. The position stays in here: it is never
 * logged; `latestFix()` is for in-process consumers that coarsen it before it goes anywhere.
 */
export class GpsService implements GpsHealthSource {
  private state: GpsState = { status: 'off' };
  private lastTimeToLockMs: number | null = null;
  private lastFix: { position: GpsPosition; at: number } | null = null;
  private lastFixSavedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private receiverFailing = false;
  private readonly fixListeners = new Set<(fixes: TrackFix[]) => void>();
  private readonly now: () => number;

  constructor(
    private readonly receiver: GpsReceiver,
    private readonly options: GpsServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  current(): GpsState {
    return this.state;
  }

  async start(): Promise<void> {
    if (this.state.status !== 'off') return;
    await this.receiver.powerOn();
    await this.search(await this.savedLastFixAt());
    if (this.options.pollMs !== 0) {
      this.timer = setInterval(() => void this.tick(), this.options.pollMs ?? 1000);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    if (this.state.status === 'locked') await this.saveLastFix(this.now()).catch(() => undefined);
    this.state = { status: 'off' };
    await this.receiver.powerOff();
  }

  /** Reads the receiver once and moves the state; concurrent callers share one read. */
  tick(): Promise<void> {
    this.ticking ??= this.step().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  health(): GpsHealth {
    const satellites = this.state.status === 'off' ? 0 : this.state.satellites;
    return { timeToLockMs: this.lastTimeToLockMs, locked: this.state.status === 'locked', satellites };
  }

  /**
   * Every fix as it comes (the receiver's own, at its rate, where it gives them; else one per read at
   * the service's clock): for in-process consumers that keep location on the headset (tracks).
   */
  onFixes(listener: (fixes: TrackFix[]) => void): () => void {
    this.fixListeners.add(listener);
    return () => this.fixListeners.delete(listener);
  }

  /** The latest fix, precise: only for in-process consumers that coarsen it (telemetry). */
  latestFix(): { position: GpsPosition; at: number } | null {
    return this.lastFix;
  }

  private async search(lastFixAt: number | null): Promise<void> {
    const now = this.now();
    const start = (await this.receiver.currentStart?.().catch(() => undefined)) ?? startKind(lastFixAt, now);
    this.state = { status: 'searching', since: now, start, satellites: 0 };
  }

  private async step(): Promise<void> {
    const state = this.state;
    if (state.status === 'off') return;
    let reading;
    try {
      reading = await this.receiver.read();
    } catch (error) {
      if (!this.receiverFailing) this.options.log.warn('receiver unavailable', { error: error instanceof Error ? error.message : String(error) });
      this.receiverFailing = true;
      return;
    }
    if (this.receiverFailing) this.options.log.info('receiver back');
    this.receiverFailing = false;
    if (this.state !== state) return; // stopped while reading
    const now = this.now();
    if (state.status === 'searching') {
      if (!reading.fix) {
        // A blind receiver (indoors) is not acquiring anything: time-to-lock counts from when it sees the sky again.
        this.state = { ...state, satellites: reading.satellites, since: reading.visible === 0 ? now : state.since };
        return;
      }
      const timeToLockMs = Math.max(0, now - state.since);
      this.lastTimeToLockMs = timeToLockMs;
      this.lastFix = { position: reading.fix, at: now };
      this.state = { status: 'locked', since: now, start: state.start, timeToLockMs, satellites: reading.satellites };
      this.options.log.info('fix acquired', { timeToLockMs, satellites: reading.satellites, start: state.start });
      this.emitFixes(reading, now);
      await this.saveLastFix(now).catch((error: unknown) => this.options.log.warn('could not save the last fix time', { error: String(error) }));
      return;
    }
    if (!reading.fix) {
      this.options.log.warn('fix lost', { lockedForMs: now - state.since, satellites: reading.satellites });
      await this.search(this.lastFix?.at ?? null);
      return;
    }
    this.lastFix = { position: reading.fix, at: now };
    this.state = { ...state, satellites: reading.satellites };
    this.emitFixes(reading, now);
    if (now - this.lastFixSavedAt >= SAVE_WHILE_LOCKED_MS) await this.saveLastFix(now).catch(() => undefined);
  }

  private emitFixes(reading: GpsReading, now: number): void {
    if (!reading.fix || this.fixListeners.size === 0) return;
    const fixes = reading.fixes ?? [{ t: now, lat: reading.fix.lat, lon: reading.fix.lon }];
    for (const listener of this.fixListeners) {
      try {
        listener(fixes);
      } catch (error) {
        this.options.log.warn('a fix listener failed', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  private async savedLastFixAt(): Promise<number | null> {
    try {
      const saved = JSON.parse(await readFile(this.options.stateFile, 'utf8')) as { lastFixAt?: unknown };
      return typeof saved.lastFixAt === 'number' ? saved.lastFixAt : null;
    } catch {
      return null;
    }
  }

  private async saveLastFix(at: number): Promise<void> {
    this.lastFixSavedAt = at;
    await mkdir(dirname(this.options.stateFile), { recursive: true });
    await writeFileAtomic(this.options.stateFile, `${JSON.stringify({ lastFixAt: at })}\n`);
  }
}
