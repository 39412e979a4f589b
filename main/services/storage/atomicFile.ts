import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileSync } from './fileSync.js';

/**
 * Crash-safe replacement of a file: write a temporary file beside it, fsync it, rename it over the
 * target, fsync the folder. A power cut leaves either the old or the new content, never a mix.
 * Every fsync goes through the FileSync in force (storage/fileSync.ts), which a simulated device's
 * page cache replaces to act out what a cut loses.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  const dir = dirname(path);
  const temporary = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', options.mode ?? 0o644);
  try {
    await handle.writeFile(data);
    await fileSync().syncFile(handle, temporary);
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await fsyncDirectory(dir);
}

export async function fsyncDirectory(dir: string): Promise<void> {
  await fileSync().syncDirectory(dir);
}

/**
 * `mkdir -p` that survives a power cut: each folder it creates is made durable by an fsync of its
 * parent (a new folder's entry is in its parent, and is lost with the page cache until then).
 */
export async function ensureDirectory(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  const created: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    created.unshift(at);
    if (at === resolve(first) || dirname(at) === at) break;
  }
  for (const folder of created) await fsyncDirectory(dirname(folder));
}

/**
 * fsyncs every file and folder under `path` (a copied tree: `cp` syncs nothing), files before the
 * folders that name them, so the tree is on the medium before a rename publishes it.
 */
export async function syncTree(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isDirectory()) {
    for (const entry of await readdir(path)) await syncTree(join(path, entry));
    await fsyncDirectory(path);
  } else if (info.isFile()) {
    const handle = await open(path, 'r');
    try {
      await fileSync().syncFile(handle, path);
    } finally {
      await handle.close();
    }
  }
}

/** Reads a file, or returns undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  const content = await readFileIfExists(path);
  return content === undefined ? undefined : (JSON.parse(content.toString('utf8')) as T);
}
