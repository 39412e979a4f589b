import { createReadStream, createWriteStream } from 'node:fs';
import { access, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { withDirectoryLock } from './LogDirectoryLock.js';
import { parseLogFileName } from './logFiles.js';
import { tempStreamOf } from './LogRetention.js';

/** The largest a gzip of `bytes` can be (stored blocks: 5 bytes per 16 KiB, plus header and trailer). */
export function gzipBound(bytes: number): number {
  return bytes + Math.ceil(bytes / 16_384) * 5 + 1024;
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Compresses the rotated file `name` of `dir` next to itself, crash-safely:
 *   gzip into `.NAME.gz.tmp`, fsync it, then (holding the folder's lock) rename it to `NAME.gz`,
 *   unlink `NAME`; then fsync the folder.
 * Killed at any point, the folder holds the lines exactly once once `recoverCompressions` ran:
 * a temporary file is only ever partial and goes; `NAME` with `NAME.gz` means the rename happened
 * and `NAME` goes. A source that retention removed meanwhile is not brought back.
 */
export async function compressRotatedFile(dir: string, name: string): Promise<'compressed' | 'gone'> {
  const source = join(dir, name);
  const temporary = join(dir, `.${name}.gz.tmp`);
  try {
    await pipeline(createReadStream(source), createGzip({ level: 6 }), createWriteStream(temporary, { mode: 0o640 }));
    const handle = await open(temporary, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  // Under the lock, so retention cannot remove the source in between and see it come back as .gz.
  // The folder is synced after: a journaling file system keeps the rename before the unlink.
  const outcome = await withDirectoryLock(dir, async () => {
    if (!(await exists(source))) {
      await unlink(temporary).catch(() => undefined);
      return 'gone' as const;
    }
    await rename(temporary, `${source}.gz`);
    await unlink(source);
    return 'compressed' as const;
  });
  await syncDirectory(dir);
  return outcome;
}

/**
 * Finishes what a killed owner of `stream` left (call it holding the stream, under the lock):
 * removes partial temporary files and uncompressed copies whose compressed file exists; returns
 * the rotated files still to compress, oldest first.
 */
export async function recoverCompressions(dir: string, stream: string): Promise<string[]> {
  const names = await readdir(dir);
  const present = new Set(names);
  const pending: string[] = [];
  for (const name of names) {
    if (tempStreamOf(name) === stream) {
      await unlink(join(dir, name)).catch(() => undefined);
      continue;
    }
    const parsed = parseLogFileName(name);
    if (!parsed || parsed.stream !== stream || parsed.active || parsed.compressed) continue;
    if (present.has(`${name}.gz`)) await unlink(join(dir, name)).catch(() => undefined);
    else pending.push(name);
  }
  if (pending.length < names.length) await syncDirectory(dir);
  return pending.sort();
}
