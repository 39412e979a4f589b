import { link, mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import sodium from 'sodium-native';
import { fsyncDirectory, writeFileAtomic } from '../storage/atomicFile.js';
import { fileSync } from '../storage/fileSync.js';
import { classKeyPath, type UserDataRoots } from './userDataClasses.js';

export const CLASS_KEY_BYTES = sodium.crypto_secretbox_KEYBYTES;

/**
 * One 32-byte key per user-data class, in its own file on the data partition (0600 in a 0700
 * folder). Destroying a class's key file is the crypto-erase of that class: every file of it is
 * encrypted under a file key only this key unwraps (ClassFileCipher.ts).
 */
export class ClassKeys {
  /**
   * Keys read, each with the identity of the file it came from: a restore renames a backed-up key
   * file in (ClassPutBack) and another service may destroy one, so a cached key is used only while
   * its file is still that same file (one stat per use); otherwise it is dropped and read again.
   */
  private readonly cache = new Map<string, { key: Buffer; file: string }>();

  constructor(private readonly roots: UserDataRoots) {}

  path(classId: string): string {
    return classKeyPath(classId, this.roots);
  }

  /** The class's key, or null when it has none (never made, or destroyed), as its key file says now. */
  async get(classId: string): Promise<Buffer | null> {
    const path = this.path(classId);
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (!handle) {
      this.forget(classId);
      return null;
    }
    try {
      const info = await handle.stat();
      const file = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
      const cached = this.cache.get(classId);
      if (cached?.file === file) return cached.key;
      this.forget(classId);
      const key = await handle.readFile();
      if (key.length !== CLASS_KEY_BYTES) throw new Error(`the key file of class ${classId} is damaged (${key.length} bytes)`);
      this.cache.set(classId, { key, file });
      return key;
    } finally {
      await handle.close();
    }
  }

  /** Drops a cached key; zeroed only when destroyed (a replaced key may still be in a caller's hands mid-read). */
  private forget(classId: string, zero = false): void {
    const cached = this.cache.get(classId);
    if (cached && zero) sodium.sodium_memzero(cached.key);
    this.cache.delete(classId);
  }

  /** The class's key, made on first use. Two writers racing get the same key: the first link wins. */
  async getOrCreate(classId: string): Promise<Buffer> {
    const existing = await this.get(classId);
    if (existing) return existing;
    const path = this.path(classId);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const key = Buffer.alloc(CLASS_KEY_BYTES);
    sodium.randombytes_buf(key);
    const candidate = `${path}.${process.pid}.${Date.now()}.new`;
    await writeFileAtomic(candidate, key, { mode: 0o600 });
    try {
      await link(candidate, path);
      await fsyncDirectory(dirname(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(candidate).catch(() => undefined);
    }
    const kept = await this.get(classId);
    if (!kept) throw new Error(`the key of class ${classId} vanished while it was made`);
    return kept;
  }

  /**
   * Destroys the class's key: overwritten in place with random bytes and synced (so the file's own
   * blocks no longer hold it where the medium overwrites in place), then unlinked and the folder
   * synced. Returns whether there was a key. Idempotent: a power cut between steps is finished next time.
   */
  async destroy(classId: string): Promise<boolean> {
    this.forget(classId, true);
    const path = this.path(classId);
    let handle;
    try {
      handle = await open(path, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      const noise = Buffer.alloc(Math.max(size, CLASS_KEY_BYTES));
      sodium.randombytes_buf(noise);
      await handle.write(noise, 0, noise.length, 0);
      await fileSync().syncFile(handle, path);
    } finally {
      await handle.close();
    }
    await unlink(path);
    await fsyncDirectory(dirname(path));
    return true;
  }
}
