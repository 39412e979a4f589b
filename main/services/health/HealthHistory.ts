import { open, readFile, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { healthSnapshotSchema, type HealthSnapshot } from '../../../src/api/contract.js';
import { ensureDirectory, writeFileAtomic } from '../storage/atomicFile.js';
import { fileSync } from '../storage/fileSync.js';

export interface HealthHistoryOptions {
  /** Keep the first snapshot of each interval of the clock; the others are skipped. */
  sampleEveryMs?: number;
  /** Snapshots older than this are forgotten, in memory and on disk. */
  retentionMs?: number;
  now?: () => number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * A bounded history of health snapshots: about one a minute for a week by default. In memory as an
 * ordered list bounded by count and age; on disk as JSON lines, appended as samples are kept and
 * compacted (rewritten atomically without the expired ones) once the file holds twice the live
 * samples. A power cut can tear the last line: loading skips lines that do not parse, so the
 * history survives restarts and cuts alike. File operations run one at a time, in order.
 */
export class HealthHistory {
  private samples: HealthSnapshot[] = [];
  private linesInFile = 0;
  /** Time of the newest sample in the file: compaction writes no sample whose append is still queued. */
  private persistedUpTo = -Infinity;
  private queue: Promise<void> = Promise.resolve();
  private readonly sampleEveryMs: number;
  private readonly retentionMs: number;
  private readonly capacity: number;
  private readonly now: () => number;
  /** Lines the last load skipped (torn or corrupt). */
  skipped = 0;

  constructor(
    private readonly path: string,
    options: HealthHistoryOptions = {},
  ) {
    this.sampleEveryMs = options.sampleEveryMs ?? MINUTE;
    this.retentionMs = options.retentionMs ?? 7 * DAY;
    this.capacity = Math.ceil(this.retentionMs / this.sampleEveryMs) + 1;
    this.now = options.now ?? Date.now;
  }

  /** Reads the kept history; a missing file is an empty history. */
  async load(): Promise<void> {
    // A cut during compaction leaves the temporary file of the atomic rewrite: the old file stands.
    const prefix = `.${basename(this.path)}.`;
    for (const name of await readdir(dirname(this.path)).catch(() => [] as string[])) {
      if (name.startsWith(prefix) && name.endsWith('.tmp')) await unlink(join(dirname(this.path), name)).catch(() => undefined);
    }
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const lines = text.split('\n').filter((line) => line.length > 0);
    this.linesInFile = lines.length;
    this.skipped = 0;
    const loaded: HealthSnapshot[] = [];
    for (const line of lines) {
      const parsed = parseLine(line);
      if (parsed) loaded.push(parsed);
      else this.skipped++;
    }
    loaded.sort((a, b) => Date.parse(a.takenAt) - Date.parse(b.takenAt));
    this.samples = loaded;
    this.persistedUpTo = loaded.length > 0 ? Date.parse(loaded.at(-1)!.takenAt) : -Infinity;
    this.expire();
    // A torn tail or expired samples are rewritten away now, so appends start on a clean line.
    if (this.skipped > 0 || this.samples.length < lines.length) await this.enqueue(() => this.compact());
  }

  /** Considers a new snapshot: kept when the interval has passed since the last kept one. */
  offer(snapshot: HealthSnapshot): Promise<void> {
    const last = this.samples.at(-1);
    const at = Date.parse(snapshot.takenAt);
    if (!Number.isFinite(at)) return Promise.resolve();
    // One per interval of the clock (the first of each minute): no drift from a jittering timer.
    if (last && Math.floor(at / this.sampleEveryMs) <= Math.floor(Date.parse(last.takenAt) / this.sampleEveryMs)) return Promise.resolve();
    this.samples.push(snapshot);
    this.expire();
    return this.enqueue(async () => {
      await this.append(snapshot);
      if (this.linesInFile > Math.max(2 * this.samples.length, 64)) await this.compact();
    });
  }

  /** Snapshots taken after `since`, oldest first; with `limit`, the newest `limit` of them. */
  query(options: { since?: string; limit?: number } = {}): HealthSnapshot[] {
    this.expire();
    const since = options.since === undefined ? -Infinity : Date.parse(options.since);
    const after = this.samples.filter((s) => Date.parse(s.takenAt) > since);
    return options.limit === undefined ? after : after.slice(Math.max(0, after.length - options.limit));
  }

  get size(): number {
    return this.samples.length;
  }

  /** Waits for the file operations under way (for a clean shutdown, and tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private expire(): void {
    const oldest = this.now() - this.retentionMs;
    let drop = 0;
    while (drop < this.samples.length && Date.parse(this.samples[drop]!.takenAt) < oldest) drop++;
    drop = Math.max(drop, this.samples.length - this.capacity);
    if (drop > 0) this.samples = this.samples.slice(drop);
  }

  private async append(snapshot: HealthSnapshot): Promise<void> {
    await ensureDirectory(dirname(this.path));
    const { handle, created } = await openForAppend(this.path);
    try {
      await handle.write(`${JSON.stringify(snapshot)}\n`);
      await fileSync().syncFile(handle, this.path, { dataOnly: true });
    } finally {
      await handle.close();
    }
    // A new file's name is in its folder only once the folder is synced: a cut would lose the file.
    if (created) await fileSync().syncDirectory(dirname(this.path));
    this.linesInFile++;
    this.persistedUpTo = Date.parse(snapshot.takenAt);
  }

  private async compact(): Promise<void> {
    this.expire();
    await ensureDirectory(dirname(this.path));
    const kept = this.samples.filter((s) => Date.parse(s.takenAt) <= this.persistedUpTo);
    await writeFileAtomic(this.path, kept.map((s) => `${JSON.stringify(s)}\n`).join(''), { mode: 0o640 });
    this.linesInFile = kept.length;
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const run = this.queue.then(operation);
    // One failed write (disk full) must not stop the ones after it; the caller still sees it.
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Opens `path` to append, creating it if missing; says whether this call created it. */
async function openForAppend(path: string): Promise<{ handle: FileHandle; created: boolean }> {
  try {
    return { handle: await open(path, 'ax', 0o640), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { handle: await open(path, 'a', 0o640), created: false };
  }
}

function parseLine(line: string): HealthSnapshot | undefined {
  try {
    const parsed = healthSnapshotSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
