import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { TrackFix } from '../../../src/tracks/geo.js';
import { reversedCircuit, SYNTHETIC_CIRCUITS, syntheticCircuit } from '../../../src/tracks/syntheticCircuits.js';
import { synthesizeDrive } from '../../../src/tracks/syntheticDrive.js';

/**
 * The simulated headset on a circuit: `gps/drive.json` (README, "The simulated headset") names a
 * synthetic circuit and how to drive it; from the moment the receiver first reads the file it reports
 * the drive's fixes as they come due, at the drive's rate, with its noise, dropouts and pit stops,
 * then stands in the pit box. `timeScale` runs the receiver's clock faster than the wall's (a
 * developer's fast-forward: 20 drives a 2-minute lap in 6 s); the fixes carry the receiver's time.
 * Writing a different file starts a new drive; removing it ends it.
 */
export const driveFileSchema = z
  .object({
    circuit: z.enum(SYNTHETIC_CIRCUITS.map((c) => c.id) as [string, ...string[]]),
    reversed: z.boolean().default(false),
    laps: z.number().int().min(1).max(200),
    pitStopsAfterLaps: z.array(z.number().int().min(1)).max(20).default([]),
    pitStopS: z.number().min(0).max(3600).default(25),
    rateHz: z.number().int().min(1).max(25).default(10),
    noiseM: z.number().min(0).max(20).default(1),
    biasM: z.number().min(0).max(20).default(1.5),
    dropoutsPerLap: z.number().min(0).max(5).default(0.3),
    seed: z.number().int().default(1),
    timeScale: z.number().min(1).max(100).default(1),
  })
  .strict();
export type DriveFile = z.infer<typeof driveFileSchema>;

export class SimulatedDriveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatedDriveError';
  }
}

interface ActiveDrive {
  text: string;
  startedAt: number;
  timeScale: number;
  fixes: TrackFix[];
  /** Index of the next fix not yet reported. */
  next: number;
}

export class SimulatedDrive {
  private active: ActiveDrive | null = null;

  constructor(private readonly file: string) {}

  /**
   * The fixes due since the last call (oldest first), or null when no drive is on. An empty array is
   * a dropout (the drive is on and the receiver has nothing to report).
   */
  async due(now: number): Promise<TrackFix[] | null> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (text === null) {
      this.active = null;
      return null;
    }
    if (this.active?.text !== text) this.active = this.start(text, now);
    const drive = this.active;
    const clock = drive.startedAt + (now - drive.startedAt) * drive.timeScale;
    const from = drive.next;
    while (drive.next < drive.fixes.length && drive.fixes[drive.next]!.t <= clock) drive.next++;
    if (drive.next < drive.fixes.length || from < drive.fixes.length) return drive.fixes.slice(from, drive.next);
    // The drive is over: the car stands in its pit box.
    const parked = drive.fixes[drive.fixes.length - 1]!;
    return [{ t: clock, lat: parked.lat, lon: parked.lon, speed: 0 }];
  }

  private start(text: string, now: number): ActiveDrive {
    let parsed: DriveFile;
    try {
      parsed = driveFileSchema.parse(JSON.parse(text));
    } catch (error) {
      const detail = error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ') : String(error);
      throw new SimulatedDriveError(`the simulated drive ${this.file} is not valid: ${detail}`);
    }
    const base = syntheticCircuit(parsed.circuit)!;
    const circuit = parsed.reversed ? reversedCircuit(base) : base;
    const fixes = synthesizeDrive(circuit, { ...parsed, startAt: now });
    return { text, startedAt: now, timeScale: parsed.timeScale, fixes, next: 0 };
  }
}
