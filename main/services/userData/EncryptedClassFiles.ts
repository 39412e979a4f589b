import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDirectory } from '../storage/atomicFile.js';
import { fileSync } from '../storage/fileSync.js';
import { CHUNK_BYTES, CipherError, FileEncryptor, decryptBuffer, encryptBuffer } from './ClassFileCipher.js';
import type { ClassKeys } from './ClassKeys.js';
import { classOfPath, type UserDataClassId, type UserDataRoots } from './userDataClasses.js';

/**
 * Files of one user-data class, encrypted at rest under the class's key: what the writers of an
 * encrypted class (the wearer's profile, app data) use instead of plain files. Every write is
 * crash-safe (temporary file, fsync, rename, fsync of the folder); a path outside the class is refused.
 */
export class EncryptedClassFiles {
  constructor(
    private readonly roots: UserDataRoots,
    private readonly keys: ClassKeys,
  ) {}

  async write(classId: UserDataClassId, path: string, data: Uint8Array): Promise<void> {
    this.check(classId, path);
    const key = await this.keys.getOrCreate(classId);
    await writeDurably(path, [encryptBuffer(classId, key, data)]);
  }

  /** Streams a large file in (a download, an app's assets) without holding it in memory. */
  async writeStream(classId: UserDataClassId, path: string, source: AsyncIterable<Uint8Array>): Promise<number> {
    this.check(classId, path);
    const encryptor = new FileEncryptor(classId, await this.keys.getOrCreate(classId));
    let bytes = 0;
    async function* chunks(): AsyncGenerator<Buffer> {
      yield encryptor.header;
      let pending = Buffer.alloc(0);
      for await (const piece of source) {
        pending = pending.length === 0 ? Buffer.from(piece) : Buffer.concat([pending, piece]);
        while (pending.length > CHUNK_BYTES) {
          yield encryptor.push(pending.subarray(0, CHUNK_BYTES), false);
          bytes += CHUNK_BYTES;
          pending = pending.subarray(CHUNK_BYTES);
        }
      }
      bytes += pending.length;
      yield encryptor.push(pending, true);
    }
    await writeDurably(path, chunks());
    return bytes;
  }

  /** The file's plaintext, or null when it does not exist. Throws a CipherError when it cannot be read (the class erased). */
  async read(classId: UserDataClassId, path: string): Promise<Buffer | null> {
    this.check(classId, path);
    const file = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (!file) return null;
    const key = await this.keys.get(classId);
    if (!key) throw new CipherError('wrong-key', `class ${classId} has no key: it was erased`);
    return decryptBuffer(classId, key, file);
  }

  private check(classId: UserDataClassId, path: string): void {
    const owner = classOfPath(path, this.roots)?.id;
    if (owner !== classId) throw new Error(`${path} is not a file of class ${classId} (it belongs to ${owner ?? 'no class'})`);
  }
}

async function writeDurably(path: string, parts: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    for await (const part of parts) await handle.write(part);
    await fileSync().syncFile(handle, temporary);
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
  await fsyncDirectory(dir);
}
