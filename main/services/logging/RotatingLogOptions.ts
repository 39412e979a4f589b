import { isValidStreamName } from './logFiles.js';
import type { RetentionPolicy } from './LogRetention.js';

export interface RotatingLogOptions {
  dir: string;
  /** The stream's name: the active file is `STREAM.log` (see logFiles.ts). */
  stream: string;
  /** Rotate before the active file would pass this size (default 4 MiB). */
  maxFileBytes?: number;
  /** Rotate a non-empty file at each multiple of this period (UTC; default a day). */
  rotateEveryMs?: number;
  retention?: RetentionPolicy;
  /** gzip rotated files in the background (default true). */
  compress?: boolean;
  clock?: () => number;
  /** Lines buffered past this (the disk stalled) are dropped and counted (default 8 MiB). */
  maxBufferedBytes?: number;
  /** A partial batch is written after this delay (default 50 ms). */
  flushDelayMs?: number;
  /** A batch this large is written at once (default 64 KiB). */
  batchBytes?: number;
  /** How often the active file is checked (deleted, made read-only) and a lost file retried (default 1 s). */
  checkEveryMs?: number;
  /** How often retention runs besides after each rotation (default 10 min). */
  retentionEveryMs?: number;
  /** Problems the file works around (a failed rotation, compression or retention pass). */
  onProblem?: (what: string, error: unknown) => void;
  /** fdatasync of the active file when `settle` asks for sync (default fs.fdatasync; a seam for tests). */
  syncData?: (fd: number) => Promise<void>;
}

/** The options with every default filled in (the seams `clock` and `syncData` stay optional). */
export type ResolvedRotatingLogOptions = Required<Omit<RotatingLogOptions, 'retention' | 'onProblem' | 'clock' | 'syncData'>> &
  Pick<RotatingLogOptions, 'retention' | 'onProblem' | 'clock' | 'syncData'>;

/** What a part of the file calls to report a problem it works around. */
export type ProblemReport = (what: string, error: unknown) => void;

const DAY = 86_400_000;

/** Fills in the defaults; a stream name that is not one throws before anything touches the disk. */
export function resolveRotatingLogOptions(options: RotatingLogOptions): ResolvedRotatingLogOptions {
  if (!isValidStreamName(options.stream)) throw new Error(`Not a log stream name: ${options.stream}`);
  return {
    maxFileBytes: 4 * 1024 * 1024,
    rotateEveryMs: DAY,
    compress: true,
    maxBufferedBytes: 8 * 1024 * 1024,
    flushDelayMs: 50,
    batchBytes: 64 * 1024,
    checkEveryMs: 1000,
    retentionEveryMs: 10 * 60_000,
    ...options,
  };
}
