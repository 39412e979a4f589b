import { lstatSync, readdirSync, statfsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, ownerFileName, readOwner, type StreamOwner } from './LogDirectoryLock.js';
import { compareLogFileNames, parseLogFileName, stampTime, type LogFileName } from './logFiles.js';

/** What a log folder keeps. Age and count apply to the caller's own stream; bytes and free space to the folder. */
export interface RetentionPolicy {
  /** Rotated files older than this (by the stamp in their name) go. */
  maxAgeMs?: number;
  /** At most this many rotated files of the stream. */
  maxRotatedFiles?: number;
  /** Every file of the folder together, counting what live writers may still add (their reserve). */
  maxTotalBytes?: number;
  /** Below this much free space on the file system, rotated files go, oldest first. */
  minFreeBytes?: number;
}

export interface FolderFile {
  name: string;
  bytes: number;
  /** Parsed for log files; undefined for the rest (temporary files, owner records, the lock). */
  log?: LogFileName;
  /** For a temporary file, the stream it belongs to (a compression under way). */
  tempStream?: string;
}

export interface RetentionInput {
  files: FolderFile[];
  /** Live owners (the caller included). */
  owners: StreamOwner[];
  stream: string;
  policy: RetentionPolicy;
  now: number;
  freeBytes: number;
  blockBytes: number;
}

export interface RetentionPlan {
  /** Names to delete, in order. */
  remove: string[];
  /** The folder's bytes as counted (live writers at their reserve) after the removals. */
  countedBytes: number;
  reason: Record<string, 'age' | 'count' | 'bytes' | 'disk' | 'stale'>;
}

/**
 * Decides what to delete: stale temporary files of dead writers first, then rotated files by age
 * and count (the caller's stream), then the oldest rotated files of any stream until the folder,
 * with every live writer counted at its reserve, fits `maxTotalBytes`, then until the file system
 * has `minFreeBytes` free. Active files are never deleted.
 */
export function planRetention(input: RetentionInput): RetentionPlan {
  const { files, policy, stream, now } = input;
  const live = new Set(input.owners.map((o) => o.stream));
  const reason: RetentionPlan['reason'] = {};
  const removed = new Set<string>();
  const remove = (file: FolderFile, why: RetentionPlan['reason'][string]) => {
    if (removed.has(file.name)) return;
    removed.add(file.name);
    reason[file.name] = why;
  };
  for (const file of files) if (file.tempStream !== undefined && !live.has(file.tempStream)) remove(file, 'stale');

  const rotated = files.filter((f) => f.log && !f.log.active).sort((a, b) => compareByAge(a.log!, b.log!));
  const own = rotated.filter((f) => f.log!.stream === stream);
  if (policy.maxAgeMs !== undefined) for (const file of own) if (stampTime(file.log!.stamp!) < now - policy.maxAgeMs) remove(file, 'age');
  if (policy.maxRotatedFiles !== undefined) {
    // A file and its compressed copy (a compression cut short) count once.
    const units = [...new Set(own.filter((f) => !removed.has(f.name)).map((f) => unitOf(f.name)))];
    const excess = units.slice(0, Math.max(0, units.length - policy.maxRotatedFiles));
    for (const file of own) if (excess.includes(unitOf(file.name))) remove(file, 'count');
  }

  // Live writers count at their reserve, which covers their active file and their compression under way.
  const covered = (f: FolderFile) => (f.log?.active && live.has(f.log.stream)) || (f.tempStream !== undefined && live.has(f.tempStream));
  let counted = input.owners.reduce((sum, o) => sum + o.reserveBytes, 0);
  for (const file of files) if (!removed.has(file.name) && !covered(file)) counted += file.bytes;
  let free = input.freeBytes;
  for (const file of files) if (removed.has(file.name)) free += roundUp(file.bytes, input.blockBytes);

  for (const file of rotated) {
    if (removed.has(file.name)) continue;
    const overBytes = policy.maxTotalBytes !== undefined && counted > policy.maxTotalBytes;
    const lowDisk = policy.minFreeBytes !== undefined && free < policy.minFreeBytes;
    if (!overBytes && !lowDisk) break;
    remove(file, overBytes ? 'bytes' : 'disk');
    counted -= file.bytes;
    free += roundUp(file.bytes, input.blockBytes);
  }
  return { remove: files.filter((f) => removed.has(f.name)).map((f) => f.name), countedBytes: counted, reason };
}

function compareByAge(a: LogFileName, b: LogFileName): number {
  if (a.stamp !== b.stamp) return (a.stamp ?? '') < (b.stamp ?? '') ? -1 : 1;
  if (a.n !== b.n) return a.n - b.n;
  return compareLogFileNames(a, b);
}

function unitOf(name: string): string {
  return name.endsWith('.gz') ? name.slice(0, -3) : name;
}

function roundUp(bytes: number, block: number): number {
  return Math.ceil(bytes / block) * block;
}

/** The stream a temporary file of a compression belongs to (`.STREAM.<stamp>[-N].log.gz.tmp`). */
export function tempStreamOf(name: string): string | undefined {
  if (!name.startsWith('.') || !name.endsWith('.tmp')) return undefined;
  const parsed = parseLogFileName(name.slice(1, -'.tmp'.length));
  return parsed && !parsed.active ? parsed.stream : undefined;
}

/**
 * Reads the folder for `planRetention`; call it holding the folder's lock. Synchronous: a few
 * dozen metadata calls of microseconds, where each await would stall the writer waiting for it.
 */
export function readFolder(dir: string): { files: FolderFile[]; owners: StreamOwner[]; freeBytes: number; blockBytes: number } {
  const names = readdirSync(dir);
  const files: FolderFile[] = [];
  const owners: StreamOwner[] = [];
  for (const name of names) {
    let bytes: number;
    try {
      const info = lstatSync(join(dir, name));
      if (!info.isFile() && !info.isSymbolicLink()) continue;
      bytes = info.size;
    } catch {
      continue;
    }
    const log = parseLogFileName(name);
    const tempStream = tempStreamOf(name);
    files.push({ name, bytes, ...(log ? { log } : {}), ...(tempStream !== undefined ? { tempStream } : {}) });
    const owner = /^\.(.+)\.owner$/.exec(name);
    if (owner) {
      const record = readOwner(dir, owner[1]!);
      if (record && isAlive(record)) owners.push(record);
    }
  }
  const fs = statfsSync(dir);
  return { files, owners, freeBytes: fs.bavail * fs.bsize, blockBytes: fs.bsize };
}

/** One retention pass over `dir` for `stream`; call it holding the folder's lock. Returns what it removed. */
export function enforceRetention(dir: string, stream: string, policy: RetentionPolicy, now: number): RetentionPlan {
  const folder = readFolder(dir);
  const plan = planRetention({ ...folder, stream, policy, now });
  for (const name of plan.remove) unlinkQuietly(join(dir, name));
  // Owner records of writers that are gone say nothing any more.
  for (const file of folder.files) {
    const owner = /^\.(.+)\.owner$/.exec(file.name);
    if (owner && !folder.owners.some((o) => ownerFileName(o.stream) === file.name)) unlinkQuietly(join(dir, file.name));
  }
  return plan;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
