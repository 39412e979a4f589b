import { mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { claimStream, currentProcess, liveOwners, ownerFileName, withDirectoryLock } from './LogDirectoryLock.js';
import { gzipBound, recoverCompressions } from './RotatedLogCompression.js';
import type { ResolvedRotatingLogOptions } from './RotatingLogOptions.js';

/**
 * A writer's share of a folder shared with other writers. The folder never holds more than
 * `maxTotalBytes`: each writer records a reserve (see reserveBytes) and every retention pass counts
 * live writers at their reserve; a writer's active file cap is cut so the reserves fit.
 */
export interface LogFolderShare {
  /** The active file's cap after sharing the folder's budget with the other writers. */
  maxFileBytes: number;
  /** Rotated files a killed owner of the stream left uncompressed, oldest first. */
  uncompressed: string[];
}

/** Claims the stream (recording this writer's reserve) and finishes what a killed owner left, under the folder's lock. */
export async function claimFolderShare(options: ResolvedRotatingLogOptions): Promise<LogFolderShare> {
  const { dir, stream, compress } = options;
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  return withDirectoryLock(dir, async () => {
    const others = liveOwners(dir).filter((o) => o.stream !== stream);
    const budget = options.retention?.maxTotalBytes;
    let maxFileBytes = options.maxFileBytes;
    if (budget !== undefined) {
      // Room for the others' reserves and the small files (lock, owner records); the rest is ours: see reserveBytes.
      const room = budget - others.reduce((sum, o) => sum + o.reserveBytes, 0) - 4096;
      const fitting = Math.floor(compress ? (room - 1024) / (3 + 5 / 16_384) : room / 2);
      maxFileBytes = Math.max(4096, Math.min(options.maxFileBytes, fitting));
    }
    await claimStream(dir, stream, reserveBytes(maxFileBytes, compress));
    return { maxFileBytes, uncompressed: await recoverCompressions(dir, stream) };
  });
}

/** Removes the stream's owner record if it is still this process's (synchronous: close may run on the way out). */
export function releaseFolderShare(dir: string, stream: string): void {
  try {
    const owner = join(dir, ownerFileName(stream));
    if (readFileSync(owner, 'utf8').includes(`"pid":${currentProcess().pid},`)) unlinkSync(owner);
  } catch {
    // Not ours or already gone.
  }
}

/**
 * What a writer may add to the folder between two retention passes: its active file, the next one
 * (it fills while retention runs after a rotation), and one compression's output.
 */
function reserveBytes(maxFileBytes: number, compress: boolean): number {
  return 2 * maxFileBytes + (compress ? gzipBound(maxFileBytes) : 0);
}
