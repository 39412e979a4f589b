import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The log folder's naming convention, shared by every process that writes there and everything
 * that reads it (analysis, export, forwarding):
 *
 *   STREAM.log                              the active file of a stream (headsetd.log, electron.log)
 *   STREAM.<yyyyMMddTHHmmssSSSZ>[-N].log    rotated, not yet compressed
 *   STREAM.<yyyyMMddTHHmmssSSSZ>[-N].log.gz rotated and compressed
 *   .anything                               temporary (a compression under way, the lock): ignored
 *
 * The stamp is the UTC time of the rotation; `-N` separates rotations that got the same stamp
 * (a clock that jumped back, two rotations in one millisecond).
 */
export interface LogFileEntry {
  path: string;
  stream: string;
  compressed: boolean;
  bytes: number;
  active: boolean;
}

export interface LogFileName {
  stream: string;
  /** The rotation stamp; undefined for the active file. */
  stamp?: string;
  /** The collision suffix (0 when absent). */
  n: number;
  compressed: boolean;
  active: boolean;
}

const ROTATED = /^([^.][^/]*)\.(\d{8}T\d{9}Z)(?:-(\d+))?\.log(\.gz)?$/;
const ACTIVE = /^([^.][^/]*)\.log$/;
const STREAM = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Whether `stream` may name a stream (no dots: the name must parse back unambiguously). */
export function isValidStreamName(stream: string): boolean {
  return STREAM.test(stream);
}

/** Parses a file name of the log folder; undefined for anything else (temporary files included). */
export function parseLogFileName(name: string): LogFileName | undefined {
  const rotated = ROTATED.exec(name);
  if (rotated && isValidStreamName(rotated[1]!))
    return { stream: rotated[1]!, stamp: rotated[2]!, n: Number(rotated[3] ?? 0), compressed: rotated[4] !== undefined, active: false };
  const active = ACTIVE.exec(name);
  if (active && isValidStreamName(active[1]!)) return { stream: active[1]!, n: 0, compressed: false, active: true };
  return undefined;
}

/** The UTC stamp of a rotation at `time`: yyyyMMddTHHmmssSSSZ (sorts as text in time order). */
export function rotationStamp(time: number): string {
  return new Date(time).toISOString().replace(/[-:.]/g, '');
}

/** The time a stamp stands for. */
export function stampTime(stamp: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(stamp);
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
}

export function rotatedFileName(stream: string, stamp: string, n: number, compressed: boolean): string {
  return `${stream}.${stamp}${n > 0 ? `-${n}` : ''}.log${compressed ? '.gz' : ''}`;
}

/** Orders two parsed names of one stream: by stamp, then suffix; the active file last. */
export function compareLogFileNames(a: LogFileName, b: LogFileName): number {
  if (a.stream !== b.stream) return a.stream < b.stream ? -1 : 1;
  if (a.active !== b.active) return a.active ? 1 : -1;
  if (a.stamp !== b.stamp) return (a.stamp ?? '') < (b.stamp ?? '') ? -1 : 1;
  return a.n - b.n;
}

/**
 * Every log file of `dir`, grouped by stream (streams in name order), each stream's files oldest to
 * newest and its active file last. A rotated file caught between compression and the removal of
 * its uncompressed copy is listed once, as the compressed file (complete before it got its name).
 * A missing folder has no files.
 */
export async function listLogFiles(dir: string): Promise<LogFileEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed = names
    .map((name) => ({ name, parsed: parseLogFileName(name) }))
    .filter((f): f is { name: string; parsed: LogFileName } => f.parsed !== undefined);
  const compressed = new Set(parsed.filter((f) => f.parsed.compressed).map((f) => f.name.slice(0, -'.gz'.length)));
  const kept = parsed.filter((f) => !compressed.has(f.name)).sort((a, b) => compareLogFileNames(a.parsed, b.parsed));
  const entries: LogFileEntry[] = [];
  for (const { name, parsed: p } of kept) {
    const path = join(dir, name);
    try {
      const info = await stat(path);
      if (!info.isFile()) continue;
      entries.push({ path, stream: p.stream, compressed: p.compressed, bytes: info.size, active: p.active });
    } catch (error) {
      // Retention or compression removed it since the listing.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return entries;
}
