import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
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
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly roots: UserDataRoots) {}

  path(classId: string): string {
    return classKeyPath(classId, this.roots);
  }

  /** The class's key, or null when it has none (never made, or destroyed). */
  async get(classId: string): Promise<Buffer | null> {
    const cached = this.cache.get(classId);
    if (cached) return cached;
    const key = await readFile(this.path(classId)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (key && key.length !== CLASS_KEY_BYTES) throw new Error(`the key file of class ${classId} is damaged (${key.length} bytes)`);
    if (key) this.cache.set(classId, key);
    return key;
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
    this.cache.delete(classId);
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
    const cached = this.cache.get(classId);
    if (cached) sodium.sodium_memzero(cached);
    this.cache.delete(classId);
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
