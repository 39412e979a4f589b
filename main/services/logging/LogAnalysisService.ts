import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DrainMiner } from '../../../src/logging/drain.js';
import { findInsights, type Insight, type NumericSample } from '../../../src/logging/insights.js';
import { compileQuery, entryCursor, NewestPage, type LogQuery } from '../../../src/logging/logQuery.js';
import { LOG_LEVELS, levelRank, type LogLevel, type LogRecord } from '../../../src/logging/logRecord.js';
import { detectAnomalies, type Anomaly, type TemplateSeries } from '../../../src/logging/templateAnomalies.js';
import { parseLogEntry, parseLogLine, type LogArchive } from './LogArchive.js';
import type { LogFileEntry } from './logFiles.js';

/**
 * Answers log queries and summaries over the log folder.
 *
 * Queries scan the files, rejecting most lines on their raw text before parsing them. Summaries
 * need every entry of the range mined into templates: each file is reduced once to columns (time,
 * template, level, subsystem, version, boot) kept in typed arrays. Rotated files never change, so
 * their columns are cached by name (gzipped or not); an active file is mined once per line, only
 * its new lines when it grew. One Drain miner spans every file, so a template keeps its id from file
 * to file, and it has mined each line of the folder exactly once: when a mined file leaves (a
 * rotation renames the active file, retention removes one), the miner, the tables and the cache
 * start again from the files there are, so memory follows the folder and counts stay exact.
 */
export interface LogQueryInput extends LogQuery {
  limit: number;
  /** Cursor: entries strictly older than the one it names. */
  before?: string;
}

export interface LogQueryResult {
  entries: LogRecord[];
  truncated: boolean;
  /** The cursor of the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** Lines read to answer. */
  scanned: number;
  /** Lines that were not log entries (skipped). */
  malformed: number;
}

export interface TimelineBucket {
  start: string;
  counts: Record<LogLevel, number>;
}

export interface TopTemplate {
  id: number;
  template: string;
  subsystem: string;
  level: LogLevel;
  count: number;
  firstSeen: string;
  lastSeen: string;
  example: string;
}

export interface LogSummary {
  since: string;
  until: string;
  bucketMs: number;
  timeline: TimelineBucket[];
  topTemplates: TopTemplate[];
  anomalies: Anomaly[];
  insights: Insight[];
  entries: number;
  malformed: number;
}

/** One file reduced to what summaries need. */
interface FileColumns {
  key: string;
  count: number;
  times: Float64Array;
  templates: Int32Array;
  levels: Uint8Array;
  subsystems: Uint16Array;
  versions: Uint16Array;
  boots: Int32Array;
  samples: { index: number; field: string; value: number }[];
  fatals: { time: string; subsystem: string; msg: string }[];
  minTime: number;
  maxTime: number;
  malformed: number;
}

/** An active file mined up to `minedTo` (the end of its last whole line), identified by its inode. */
interface ActiveColumns {
  inode: number;
  minedTo: number;
  columns: FileColumns;
}

const MAX_SAMPLES_PER_FILE = 200_000;
const DAY = 24 * 3_600_000;

export class LogAnalysisService {
  private miner = new DrainMiner();
  /** Rotated files' columns, by cacheKey. */
  private cache = new Map<string, FileColumns>();
  /** Active files' columns, by path. */
  private active = new Map<string, ActiveColumns>();
  private subsystems = new Interned();
  private versions = new Interned();
  private boots = new Interned();
  /** Summaries in flight share one indexing pass. */
  private indexing: Promise<FileColumns[]> | undefined;

  constructor(
    private readonly archive: LogArchive,
    private readonly now: () => number = Date.now,
  ) {}

  async query(input: LogQueryInput, signal?: AbortSignal): Promise<LogQueryResult> {
    const q = compileQuery(input);
    const page = new NewestPage(input.limit, input.before);
    let scanned = 0;
    let malformed = 0;
    const since = input.since ? Date.parse(input.since) : -Infinity;
    const until = input.until ? Date.parse(input.until) : Infinity;
    for (const file of await this.archive.files()) {
      // A file whose cached time span (of all its lines) misses the range is not read at all.
      const minedActive = this.active.get(file.path);
      const known = file.active ? (minedActive?.minedTo === file.bytes ? minedActive.columns : undefined) : this.cache.get(cacheKey(file));
      if (known && known.count > 0 && (known.maxTime < since || known.minTime >= until)) continue;
      await this.archive.forEachLine(
        file,
        (line) => {
          scanned++;
          if (!q.lineMayMatch(line)) return;
          const record = parseLogLine(line);
          if (!record) malformed++;
          else if (q.matches(record)) page.offer(record);
        },
        signal,
      );
    }
    const { entries, truncated } = page.page();
    return { entries, truncated, nextCursor: truncated && entries.length > 0 ? entryCursor(entries.at(-1)!) : null, scanned, malformed };
  }

  /**
   * Timeline, top templates, anomalies and insights for a range (default: the last day of the
   * log). Version comparisons use every kept entry: a version change is not bounded by the range.
   */
  async summary(input: { since?: string; until?: string; bucketCount: number; topCount?: number }): Promise<LogSummary> {
    const columns = await this.index();
    let latest = -Infinity;
    for (const c of columns) if (c.count > 0) latest = Math.max(latest, c.maxTime);
    const until = input.until ? Date.parse(input.until) : Number.isFinite(latest) ? latest + 1 : this.now();
    const since = input.since ? Date.parse(input.since) : until - DAY;
    const bucketMs = Math.max(1000, Math.ceil((until - since) / input.bucketCount));
    const buckets = Math.max(1, Math.ceil((until - since) / bucketMs));

    const timeline = Array.from({ length: buckets }, (_, i) => ({
      start: new Date(since + i * bucketMs).toISOString(),
      counts: { debug: 0, info: 0, warn: 0, error: 0, fatal: 0 },
    }));
    const perTemplate = new Map<number, { counts: number[]; count: number; first: number; last: number; level: number }>();
    const errorTimes = new Map<string, number[]>();
    const bootFirst = new Map<number, number>();
    const fatals: { time: string; subsystem: string; msg: string }[] = [];
    const versionFirst = new Map<number, number>();
    const samples: NumericSample[] = [];
    let entries = 0;
    let malformed = 0;
    for (const c of columns) {
      malformed += c.malformed;
      for (let i = 0; i < c.count; i++) {
        const t = c.times[i]!;
        const v = c.versions[i]!;
        if (!(versionFirst.get(v)! <= t)) versionFirst.set(v, t);
        const b = c.boots[i]!;
        if (b >= 0 && !(bootFirst.get(b)! <= t)) bootFirst.set(b, t);
        if (t < since || t >= until) continue;
        entries++;
        const level = c.levels[i]!;
        const bucket = Math.floor((t - since) / bucketMs);
        timeline[bucket]!.counts[LOG_LEVELS[level]!]++;
        const id = c.templates[i]!;
        let s = perTemplate.get(id);
        if (!s) perTemplate.set(id, (s = { counts: new Array<number>(buckets).fill(0), count: 0, first: t, last: t, level }));
        s.counts[bucket]!++;
        s.count++;
        if (t < s.first) s.first = t;
        if (t > s.last) s.last = t;
        if (level > s.level) s.level = level;
        if (level >= levelRank('error')) {
          const subsystem = this.subsystems.name(c.subsystems[i]!);
          let times = errorTimes.get(subsystem);
          if (!times) errorTimes.set(subsystem, (times = []));
          times.push(t);
        }
      }
      for (const s of c.samples)
        samples.push({
          subsystem: this.subsystems.name(c.subsystems[s.index]!),
          field: s.field,
          version: this.versions.name(c.versions[s.index]!),
          value: s.value,
        });
      for (const f of c.fatals) {
        const t = Date.parse(f.time);
        if (t >= since && t < until) fatals.push(f);
      }
    }
    const describe = (id: number, s: { count: number; first: number; last: number; level: number }): TopTemplate => {
      const cluster = this.miner.cluster(id)!;
      return {
        id,
        template: cluster.tokens.join(' '),
        subsystem: cluster.subsystem,
        level: LOG_LEVELS[s.level]!,
        count: s.count,
        firstSeen: new Date(s.first).toISOString(),
        lastSeen: new Date(s.last).toISOString(),
        example: cluster.example,
      };
    };
    const topTemplates = [...perTemplate.entries()]
      .sort((a, b) => b[1].count - a[1].count || a[0] - b[0])
      .slice(0, input.topCount ?? 20)
      .map(([id, s]) => describe(id, s));
    const series: TemplateSeries[] = [...perTemplate.entries()].map(([id, s]) => {
      const t = describe(id, s);
      return { templateId: id, template: t.template, subsystem: t.subsystem, level: t.level, counts: s.counts };
    });
    const anomalies = detectAnomalies(series, { start: since, bucketMs }).slice(0, 20);
    const versionOrder = [...versionFirst.entries()]
      .sort((a, b) => a[1] - b[1])
      .map(([v]) => this.versions.name(v))
      .filter((v) => v !== '');
    // Bounded like the contract's answer: the first ones are the most severe kinds.
    let logStart = Infinity;
    for (const c of columns) if (c.count > 0) logStart = Math.min(logStart, c.minTime);
    const insights = findInsights({
      start: since,
      end: until,
      logStart: Number.isFinite(logStart) ? logStart : undefined,
      versions: versionOrder,
      samples,
      errorTimes,
      bootStarts: [...bootFirst.values()],
      fatals,
    }).slice(0, 20);
    return {
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      bucketMs,
      timeline,
      topTemplates,
      anomalies,
      insights,
      entries,
      malformed,
    };
  }

  /** Lines the template miner has seen (each line of the folder once) and the templates it keeps. */
  stats(): { minedLines: number; templates: number } {
    return { minedLines: this.miner.lineCount, templates: this.miner.templates().length };
  }

  /** Columns of every file, from the cache where the file has not changed. */
  private index(): Promise<FileColumns[]> {
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
    this.subsystems = new Interned();
    this.versions = new Interned();
    this.boots = new Interned();
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

function emptyColumns(key: string, capacity: number): FileColumns {
  return {
    key,
    count: 0,
    times: new Float64Array(capacity),
    templates: new Int32Array(capacity),
    levels: new Uint8Array(capacity),
    subsystems: new Uint16Array(capacity),
    versions: new Uint16Array(capacity),
    boots: new Int32Array(capacity),
    samples: [],
    fatals: [],
    minTime: Infinity,
    maxTime: -Infinity,
    malformed: 0,
  };
}

function grow(c: FileColumns, capacity: number): FileColumns {
  const copy = <T extends Float64Array | Int32Array | Uint8Array | Uint16Array>(from: T, to: T): T => {
    to.set(from);
    return to;
  };
  return {
    ...c,
    times: copy(c.times, new Float64Array(capacity)),
    templates: copy(c.templates, new Int32Array(capacity)),
    levels: copy(c.levels, new Uint8Array(capacity)),
    subsystems: copy(c.subsystems, new Uint16Array(capacity)),
    versions: copy(c.versions, new Uint16Array(capacity)),
    boots: copy(c.boots, new Int32Array(capacity)),
  };
}

/** Strings kept once, referred to by a small number. */
class Interned {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }

  name(id: number): string {
    return this.names[id] ?? '';
  }
}
