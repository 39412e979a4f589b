import { closeSync, existsSync, fsyncSync, fstatSync, openSync, renameSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActiveLogFile } from './ActiveLogFile.js';
import type { CompressionQueue } from './CompressionQueue.js';
import { closeAsync, fdatasyncAsync } from './descriptorCalls.js';
import { parseLogFileName, rotatedFileName, rotationStamp, stampTime } from './logFiles.js';
import type { RetentionPasses } from './RetentionPasses.js';
import { syncDirectory } from './RotatedLogCompression.js';
import type { ProblemReport } from './RotatingLogOptions.js';
import type { SyncPasses } from './SyncPasses.js';

/** The newest rotated file's stamp: the next one is numbered after it, never before (a clock set back). */
interface RotatedStamp {
  time: number;
  stamp: string;
  n: number;
}

export interface LogRotationParts {
  dir: string;
  stream: string;
  /** A non-empty file rotates at each multiple of this period (UTC). */
  rotateEveryMs: number;
  clock: () => number;
  active: ActiveLogFile;
  syncs: SyncPasses;
  retention: RetentionPasses;
  compressions: CompressionQueue;
  onProblem: ProblemReport;
}

/** Renames the active file to its stamped name (logFiles.ts) and starts a new one: by size when asked, by time when due. */
export class LogRotation {
  /** Rotations done (the crash path's synchronous one aside). */
  count = 0;
  private last: RotatedStamp | undefined;
  private nextAt = 0;

  constructor(private readonly parts: LogRotationParts) {}

  /** Reads the newest rotated file's stamp (on open). */
  async findNewest(): Promise<void> {
    this.last = await this.newestRotated();
  }

  /** Starts the period the clock is in: the file rotates at its end. */
  startPeriod(): void {
    this.nextAt = this.boundaryAfter(this.parts.clock());
  }

  /** Rotates a non-empty file whose period ended. */
  async rotateIfDue(): Promise<void> {
    const { active, clock, rotateEveryMs } = this.parts;
    const now = clock();
    if (active.fd >= 0 && active.bytes > 0 && (now >= this.nextAt || now < this.nextAt - rotateEveryMs)) {
      // A clock that jumped back before this period began starts a new period, without rotating.
      if (now >= this.nextAt) await this.rotate();
      else this.nextAt = this.boundaryAfter(now);
    }
  }

  /**
   * Renames the active file to its stamped name, opens a new one, syncs the folder; then retention
   * and compression in the background. The renames and the open are synchronous: metadata calls of
   * microseconds, once per file; each await here would let another burst of lines in while the
   * writer stands still.
   */
  async rotate(): Promise<void> {
    const { dir, stream, active, syncs, retention, compressions, onProblem } = this.parts;
    // At most one rotated file waits for retention (the reserve covers one).
    if (retention.running) await retention.running;
    const now = this.parts.clock();
    const time = Math.max(now, this.last?.time ?? 0);
    const stamp = rotationStamp(time);
    let n = this.last?.stamp === stamp ? this.last.n + 1 : 0;
    while (existsSync(join(dir, rotatedFileName(stream, stamp, n, false))) || existsSync(join(dir, rotatedFileName(stream, stamp, n, true)))) n++;
    const target = rotatedFileName(stream, stamp, n, false);
    const old = active.fd;
    try {
      renameSync(active.path, join(dir, target));
    } catch (error) {
      onProblem('rotate', error);
      // The active file vanished: start a new one. Otherwise (a read-only folder) let go of it until it is writable.
      active.close();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') active.openSync();
      return;
    }
    this.last = { time, stamp, n };
    this.count++;
    active.fd = -1;
    // Off the writing path: the rotated file's data reaches the disk while the new file fills (its gzip is synced again).
    const oldSynced = fdatasyncAsync(old);
    syncs.track(oldSynced);
    // Closed once no sync pass uses it either (it may have started on this descriptor).
    void Promise.allSettled([oldSynced, syncs.inFlight()]).then(() => closeAsync(old).catch(() => undefined));
    active.openSync();
    // Both names made durable at once; off the writing path (a folder's fsync can take tens of ms).
    const namesSynced = syncDirectory(dir);
    syncs.track(namesSynced);
    namesSynced.catch((error: unknown) => onProblem('rotate', error));
    this.nextAt = this.boundaryAfter(now);
    // Retention runs while the new file fills: the reserve counts a second file for that.
    void retention.run();
    compressions.add(target);
  }

  /** The crash path's rotation: synchronous, the old file synced and closed at once, not compressed. */
  rotateSync(): boolean {
    const { dir, stream, active, clock } = this.parts;
    try {
      const time = Math.max(clock(), (this.last?.time ?? 0) + 1);
      const target = join(dir, rotatedFileName(stream, rotationStamp(time), 0, false));
      renameSync(active.path, target);
      fsyncSync(active.fd);
      closeSync(active.fd);
      // The old descriptor is gone whatever happens next: a failed reopen must not leave its number
      // behind, where a file opened later could take it.
      active.fd = -1;
      this.last = { time, stamp: rotationStamp(time), n: 0 };
      active.fd = openSync(active.path, 'a', 0o640);
      active.bytes = fstatSync(active.fd).size;
      return true;
    } catch {
      return false;
    }
  }

  private boundaryAfter(time: number): number {
    const period = this.parts.rotateEveryMs;
    return Math.floor(time / period) * period + period;
  }

  private async newestRotated(): Promise<RotatedStamp | undefined> {
    let newest: RotatedStamp | undefined;
    for (const name of await readdir(this.parts.dir)) {
      const parsed = parseLogFileName(name);
      if (!parsed || parsed.active || parsed.stream !== this.parts.stream) continue;
      if (!newest || parsed.stamp! > newest.stamp || (parsed.stamp === newest.stamp && parsed.n > newest.n))
        newest = { time: stampTime(parsed.stamp!), stamp: parsed.stamp!, n: parsed.n };
    }
    return newest;
  }
}
