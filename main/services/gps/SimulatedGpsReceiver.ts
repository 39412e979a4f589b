import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { seededRandom } from '../../../src/seededRandom.js';
import type { TrackFix } from '../../../src/tracks/geo.js';
import { writeFileAtomic } from '../storage/atomicFile.js';
import { startKind, type GpsPosition, type GpsReading, type GpsReceiver, type GpsStart } from './ports.js';
import { SimulatedDrive } from './SimulatedDrive.js';

/** What the antenna sees: `open` sky, an `urban` canyon (fewer, weaker signals), `indoor` (no fix). */
export type Sky = 'open' | 'urban' | 'indoor';

/** Satellites above the horizon whose signal the antenna receives, per sky [min, max]. */
const VISIBLE: Record<Sky, [number, number]> = { open: [8, 12], urban: [4, 7], indoor: [0, 0] };
/** Median seconds to find a satellite's signal: without an almanac the receiver searches every code and Doppler bin. */
const ACQUIRE_MEDIAN_S: Record<GpsStart, number> = { cold: 6, warm: 1.5, hot: 0.6 };
/** Weak signals take longer to find. */
const SKY_SLOWDOWN: Record<Sky, number> = { open: 1, urban: 2.2, indoor: 3 };
/** The navigation message repeats every 30 s (GPS time); ephemeris is in subframes 1-3, 18 s. */
const FRAME_MS = 30_000;
const EPHEMERIS_MS = 18_000;
const SATELLITES_FOR_FIX = 4;

interface Acquisition {
  startedAt: number;
  start: GpsStart;
  sky: Sky;
  /** Per visible satellite: ms after the start when it is usable in a solution. */
  readyAfterMs: number[];
  /** When the backup memory was last refreshed during this acquisition. */
  rememberedAt: number | null;
}

/**
 * The simulated headset's GPS receiver. Each acquisition draws the visible satellites for the sky
 * (`gps/sky`), how long each one's signal takes to find (long on a cold start, short when the
 * receiver's backup memory, `gps/backup.json`, still holds a recent fix) and, unless the ephemeris is
 * still fresh (hot start), waits for the next navigation frame to decode it. The fix comes when four
 * satellites are usable: time-to-lock emerges from the satellites, as on a real receiver.
 * Deterministic for a seed. Changing the sky file re-runs the acquisition (walking indoors loses the fix).
 * Without a drive the fix walks around the home position; with `gps/drive.json` (SimulatedDrive) it
 * drives laps of a synthetic circuit and reports every fix of its rate since the last read.
 */
export class SimulatedGpsReceiver implements GpsReceiver {
  private readonly random: () => number;
  private acquisition: Acquisition | undefined;
  private readonly drive: SimulatedDrive | undefined;

  constructor(
    private readonly paths: { sky: string; backup: string; drive?: string },
    private readonly options: { seed?: number; now?: () => number; home?: GpsPosition } = {},
  ) {
    this.random = seededRandom(options.seed ?? 0x5eed);
    this.drive = paths.drive === undefined ? undefined : new SimulatedDrive(paths.drive);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async powerOn(): Promise<void> {
    this.acquisition = await this.plan(this.now(), await this.readSky());
  }

  async powerOff(): Promise<void> {
    this.acquisition = undefined;
  }

  async read(): Promise<GpsReading> {
    const now = this.now();
    const sky = await this.readSky();
    if (!this.acquisition) return { satellites: 0, visible: 0, fix: null };
    if (sky !== this.acquisition.sky) this.acquisition = await this.plan(now, sky);
    const acquisition = this.acquisition;
    const elapsed = now - acquisition.startedAt;
    const visible = acquisition.readyAfterMs.length;
    const satellites = acquisition.readyAfterMs.filter((ms) => ms <= elapsed).length;
    // The drive goes on while the receiver searches: what it drove meanwhile is not reported.
    const driven = await this.drive?.due(now);
    if (satellites < SATELLITES_FOR_FIX) return { satellites, visible, fix: null };
    // A dropout on the circuit (a bridge, trees): satellites tracked, no solution for a few seconds.
    if (driven && driven.length === 0) return { satellites: SATELLITES_FOR_FIX - 1, visible, fix: null };
    // While tracking, the receiver keeps decoding fresh ephemeris: refresh the backup now and then.
    if (acquisition.rememberedAt === null || now - acquisition.rememberedAt >= 10 * 60_000) {
      acquisition.rememberedAt = now;
      await this.remember(now);
    }
    if (driven) {
      const latest: TrackFix = driven[driven.length - 1]!;
      return { satellites, visible, fix: { lat: latest.lat, lon: latest.lon }, fixes: driven };
    }
    return { satellites, visible, fix: this.position(now) };
  }

  /** The start this receiver would make now (what its backup memory allows). */
  async currentStart(now = this.now()): Promise<GpsStart> {
    return startKind(await this.lastFixAt(), now);
  }

  private async plan(now: number, sky: Sky): Promise<Acquisition> {
    const start = await this.currentStart(now);
    const [min, max] = VISIBLE[sky];
    const visible = min + Math.floor(this.random() * (max - min + 1));
    const readyAfterMs: number[] = [];
    for (let i = 0; i < visible; i++) {
      const acquiredAfter = ACQUIRE_MEDIAN_S[start] * SKY_SLOWDOWN[sky] * Math.exp(0.5 * this.gaussian()) * 1000;
      if (start === 'hot') {
        readyAfterMs.push(acquiredAfter);
        continue;
      }
      // Ephemeris decoding starts at the next frame boundary of GPS time, then takes 18 s.
      const acquiredAt = now + acquiredAfter;
      const nextFrame = Math.ceil(acquiredAt / FRAME_MS) * FRAME_MS;
      // Weak signals lose bits: an urban receiver misses a frame now and then.
      const missedFrames = sky === 'open' ? 0 : this.random() < 0.3 ? 1 : 0;
      readyAfterMs.push(nextFrame + missedFrames * FRAME_MS + EPHEMERIS_MS - now);
    }
    return { startedAt: now, start, sky, readyAfterMs, rememberedAt: null };
  }

  /** A walk around the home position, inside a few tens of metres. */
  private position(now: number): GpsPosition {
    const home = this.options.home ?? { lat: 47.3769, lon: 8.5417 };
    const phase = now / 120_000;
    return { lat: home.lat + 0.0002 * Math.sin(phase), lon: home.lon + 0.0003 * Math.cos(phase) };
  }

  private gaussian(): number {
    // Box-Muller; 1 - random() keeps the logarithm finite.
    return Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
  }

  private async readSky(): Promise<Sky> {
    const text = (await readFile(this.paths.sky, 'utf8').catch(() => 'open')).trim();
    return text === 'urban' || text === 'indoor' ? text : 'open';
  }

  private async lastFixAt(): Promise<number | null> {
    try {
      const backup = JSON.parse(await readFile(this.paths.backup, 'utf8')) as { lastFixAt?: unknown };
      return typeof backup.lastFixAt === 'number' ? backup.lastFixAt : null;
    } catch {
      return null; // no backup memory (or a corrupt one): a cold start
    }
  }

  /** The backup memory keeps when the receiver last had a fix (not where: that needs no keeping). */
  private async remember(now: number): Promise<void> {
    await mkdir(dirname(this.paths.backup), { recursive: true });
    await writeFileAtomic(this.paths.backup, `${JSON.stringify({ lastFixAt: now })}\n`);
  }
}
