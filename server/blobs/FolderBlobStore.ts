import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { BlobStoreError, checkBlobKey, type BlobStore, type ByteRange, type StoredBlob } from './BlobStore.js';

/**
 * Blobs as files in a folder (the default, `--blobs DIR`). A put writes a temporary file beside the
 * target, fsyncs it, renames it into place and fsyncs the folder: a power cut or a failed upload
 * leaves the old blob or none, never part of one. Several server processes may share the folder.
 */
export class FolderBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    return join(this.root, ...checkBlobKey(key).split('/'));
  }

  async put(key: string, bytes: Readable): Promise<StoredBlob> {
    const path = this.pathOf(key);
    const temporary = `${path}.${randomBytes(6).toString('hex')}.partial`;
    const hash = createHash('sha256');
    let length = 0;
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const file = await open(temporary, 'wx', 0o600);
      try {
        await pipeline(
          bytes,
          new Writable({
            write(chunk: Buffer, _encoding, done) {
              hash.update(chunk);
              length += chunk.length;
              file.write(chunk).then(() => done(), done);
            },
          }),
        );
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
      await syncFolder(dirname(path));
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      // Only the file system's failures are the store's; the source failing (a client gone, a body too large) is not.
      if (!isSystemError(error)) throw error;
      throw new BlobStoreError(`storing ${key} failed: ${(error as Error).message}`, { cause: error });
    }
    return { length, sha256: hash.digest('hex') };
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? info.size : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new BlobStoreError(`reading ${key} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const path = this.pathOf(key);
    try {
      const file = await open(path, 'r');
      return createReadStream('', { fd: file, ...(range ? { start: range.start, end: range.end } : {}) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new BlobStoreError(`reading ${key} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.pathOf(from);
    const target = this.pathOf(to);
    try {
      await mkdir(dirname(target), { recursive: true });
      await rename(source, target);
      await syncFolder(dirname(target));
      if (dirname(source) !== dirname(target)) await syncFolder(dirname(source));
    } catch (error) {
      throw new BlobStoreError(`moving ${from} to ${to} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
      await syncFolder(dirname(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new BlobStoreError(`deleting ${key} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isSystemError(error: unknown): boolean {
  return typeof (error as { syscall?: unknown }).syscall === 'string';
}
