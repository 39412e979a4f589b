import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { KeptLap } from '../../../src/tracks/sessionSummary.js';
import type { TimingLine } from '../../../src/tracks/lapTimer.js';
import type { TrackSignature } from '../../../src/tracks/trackSignature.js';
import { fsyncDirectory, writeFileAtomic } from '../storage/atomicFile.js';

/** A track the headset learned: its signature, its timing lines, the name the wearer knows it by. */
export interface StoredTrack {
  id: string;
  name: string;
  learnedAt: number;
  signature: TrackSignature;
  line: TimingLine;
  sectors: TimingLine[];
  /** The fleet registry's track this one is (its canonical id and layout), once linked. */
  canonical?: { id: string; layout: number };
}

/** A session: its laps (no trace), on which track, when. */
export interface StoredSession {
  id: string;
  trackId: string | null;
  startedAt: number;
  endedAt: number | null;
  laps: KeptLap[];
}

const line = z.object({ at: z.object({ lat: z.number(), lon: z.number() }), headingDeg: z.number(), halfWidthM: z.number() });
const trackFile = z.object({
  id: z.string(),
  name: z.string(),
  learnedAt: z.number(),
  signature: z.object({
    version: z.literal(1),
    origin: z.object({ lat: z.number(), lon: z.number() }),
    points: z.array(z.number()),
    lengthM: z.number(),
    direction: z.enum(['clockwise', 'anticlockwise']),
    cells: z.array(z.string()),
    shape: z.array(z.number()),
  }),
  line,
  sectors: z.array(line),
  canonical: z.object({ id: z.string(), layout: z.number() }).optional(),
});
const sessionFile = z.object({
  id: z.string(),
  trackId: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  laps: z.array(
    z.object({
      number: z.number(),
      startedAt: z.number(),
      timeMs: z.number(),
      sectorsMs: z.array(z.number()).nullable(),
      distanceM: z.number(),
      pit: z.boolean(),
      valid: z.boolean(),
      profile: z.array(z.number()),
    }),
  ),
});

/**
 * Tracks and sessions on the data partition, one JSON file each (`tracks/<id>.json`,
 * `sessions/<id>.json`: the two user-data classes), each replaced crash-safely (temporary file,
 * fsync, rename, fsync of the folder). A file that cannot be read is skipped and reported, never fatal.
 */
export class TrackStore {
  constructor(private readonly dirs: { tracks: string; sessions: string }) {}

  loadTracks(): Promise<{ items: StoredTrack[]; unreadable: string[] }> {
    return this.load(this.dirs.tracks, trackFile);
  }

  loadSessions(): Promise<{ items: StoredSession[]; unreadable: string[] }> {
    return this.load(this.dirs.sessions, sessionFile);
  }

  saveTrack(track: StoredTrack): Promise<void> {
    return this.save(this.dirs.tracks, track.id, track);
  }

  saveSession(session: StoredSession): Promise<void> {
    return this.save(this.dirs.sessions, session.id, session);
  }

  async deleteSession(id: string): Promise<void> {
    await unlink(join(this.dirs.sessions, `${id}.json`)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await fsyncDirectory(this.dirs.sessions);
  }

  private async save(dir: string, id: string, value: unknown): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, `${id}.json`), `${JSON.stringify(value)}\n`);
  }

  private async load<T>(dir: string, schema: z.ZodType<T>): Promise<{ items: T[]; unreadable: string[] }> {
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const items: T[] = [];
    const unreadable: string[] = [];
    // Temporary files of a write cut short (`.<name>.<random>.tmp`) are not records.
    for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
      try {
        items.push(schema.parse(JSON.parse(await readFile(join(dir, name), 'utf8'))));
      } catch {
        unreadable.push(name);
      }
    }
    return { items, unreadable };
  }
}
