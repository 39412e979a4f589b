import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DrainMiner, type TemplateCluster } from '../../../src/logging/drain.js';
import { levelRank } from '../../../src/logging/logRecord.js';
import { emptyColumns, grow, type FileColumns } from './FileColumns.js';
import { InternedStrings } from './InternedStrings.js';
import { parseLogEntry, type LogArchive } from './LogArchive.js';
import type { LogFileEntry } from './logFiles.js';

/** An active file mined up to `minedTo` (the end of its last whole line), identified by its inode. */
interface ActiveColumns {
  inode: number;
  minedTo: number;
  columns: FileColumns;
}

const MAX_SAMPLES_PER_FILE = 200_000;

/**
 * The log folder's files as columns (FileColumns.ts), each file mined into templates once. Rotated
 * files never change, so their columns are cached by name (gzipped or not); an active file is
 * mined once per line, only its new lines when it grew. One Drain miner spans every file, so a
 * template keeps its id from file to file, and it has mined each line of the folder exactly once:
 * when a mined file leaves (a rotation renames the active file, retention removes one), the miner,
 * the tables and the cache start again from the files there are, so memory follows the folder and
 * counts stay exact.
 */
export class LogColumnIndex {
  private miner = new DrainMiner();
  /** Rotated files' columns, by cacheKey. */
  private cache = new Map<string, FileColumns>();
  /** Active files' columns, by path. */
  private active = new Map<string, ActiveColumns>();
  private subsystems = new InternedStrings();
  private versions = new InternedStrings();
  private boots = new InternedStrings();
  /** Callers in flight share one indexing pass. */
  private indexing: Promise<FileColumns[]> | undefined;

  constructor(private readonly archive: LogArchive) {}

  /** The columns a file had when last mined, if it has not changed since (a query skips a file whose span misses its range). */
  minedColumns(file: LogFileEntry): FileColumns | undefined {
    if (!file.active) return this.cache.get(cacheKey(file));
    const minedActive = this.active.get(file.path);
    return minedActive?.minedTo === file.bytes ? minedActive.columns : undefined;
  }

  /** The template a column's template id names. */
  cluster(id: number): TemplateCluster {
    return this.miner.cluster(id)!;
  }

  subsystem(id: number): string {
    return this.subsystems.name(id);
  }

  version(id: number): string {
    return this.versions.name(id);
  }

  /** Lines the template miner has seen (each line of the folder once) and the templates it keeps. */
  stats(): { minedLines: number; templates: number } {
    return { minedLines: this.miner.lineCount, templates: this.miner.templates().length };
  }

  /** Columns of every file, from the cache where the file has not changed. */
  columns(): Promise<FileColumns[]> {
    this.indexing ??= (async () => {
      try {
        const files = await this.archive.files();
        const inodes = new Map<string, number>();
        for (const file of files) if (file.active) inodes.set(file.path, (await stat(file.path).catch(() => undefined))?.ino ?? -1);
        if (this.minedFileLeft(files, inodes)) this.restart();
        const result: FileColumns[] = [];
        for (const file of files) {
          if (file.active) {
            result.push(await this.mineActive(file, inodes.get(file.path)!));
            continue;
          }
          const key = cacheKey(file);
          let columns = this.cache.get(key);
          if (!columns) {
            columns = await this.mine(file, key);
            this.cache.set(key, columns);
          }
          result.push(columns);
        }
        return result;
      } finally {
        this.indexing = undefined;
      }
    })();
    return this.indexing;
  }

  /** Whether a file already mined is gone: removed, renamed by a rotation, or an active file replaced or cut. */
  private minedFileLeft(files: LogFileEntry[], inodes: Map<string, number>): boolean {
    const rotated = new Set(files.filter((f) => !f.active).map(cacheKey));
    for (const key of this.cache.keys()) if (!rotated.has(key)) return true;
    const activeNow = new Map(files.filter((f) => f.active).map((f) => [f.path, f]));
    for (const [path, known] of this.active) {
      const file = activeNow.get(path);
      if (!file || inodes.get(path) !== known.inode || file.bytes < known.minedTo) return true;
    }
    return false;
  }

  /** Forgets every mined line: the next pass mines the folder afresh. */
  private restart(): void {
    this.miner = new DrainMiner();
    this.cache = new Map();
    this.active = new Map();
    this.subsystems = new InternedStrings();
    this.versions = new InternedStrings();
    this.boots = new InternedStrings();
  }

  /** An active file's columns, with the whole lines added since the last pass mined into them. */
  private async mineActive(file: LogFileEntry, inode: number): Promise<FileColumns> {
    let known = this.active.get(file.path);
    if (!known) {
      known = { inode, minedTo: 0, columns: emptyColumns(file.path, Math.max(1024, Math.ceil(file.bytes / 150))) };
      this.active.set(file.path, known);
    }
    const entry = known;
    if (file.bytes > entry.minedTo)
      entry.minedTo = await this.archive.forEachWholeLine(
        file.path,
        entry.minedTo,
        file.bytes,
        (line) => (entry.columns = this.addLine(entry.columns, line)),
      );
    return entry.columns;
  }

  private async mine(file: LogFileEntry, key: string): Promise<FileColumns> {
    let c: FileColumns = emptyColumns(key, Math.max(1024, Math.ceil(file.bytes / (file.compressed ? 20 : 150))));
    await this.archive.forEachLine(file, (line) => (c = this.addLine(c, line)));
    return c;
  }

  /** Mines one line into `c`; returns the columns (grown when full). */
  private addLine(columns: FileColumns, line: string): FileColumns {
    let c = columns;
    const entry = parseLogEntry(line);
    if (!entry) {
      c.malformed++;
      return c;
    }
    const { record, time: t } = entry;
    if (c.count === c.times.length) c = grow(c, c.times.length * 2);
    const i = c.count++;
    c.times[i] = t;
    if (t < c.minTime) c.minTime = t;
    if (t > c.maxTime) c.maxTime = t;
    c.templates[i] = this.miner.add(record.msg, record.subsystem, record.level, record.time).id;
    c.levels[i] = levelRank(record.level);
    c.subsystems[i] = this.subsystems.id(record.subsystem);
    c.versions[i] = this.versions.id(record.version);
    c.boots[i] = record.bootId === '' ? -1 : this.boots.id(record.bootId);
    if (record.level === 'fatal') c.fatals.push({ time: record.time, subsystem: record.subsystem, msg: record.msg });
    if (record.fields && c.samples.length < MAX_SAMPLES_PER_FILE) {
      for (const field in record.fields) {
        const value = record.fields[field];
        if (typeof value === 'number' && Number.isFinite(value)) c.samples.push({ index: i, field, value });
      }
    }
    return c;
  }
}

/** A rotated file by name: it never changes, and gzipping it keeps its lines. */
function cacheKey(file: LogFileEntry): string {
  return basename(file.path).replace(/\.gz$/, '');
}
