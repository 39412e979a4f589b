import { lstat, open, readdir, rm, unlink } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import sodium from 'sodium-native';
import { fsyncDirectory } from '../storage/atomicFile.js';
import { fileSync } from '../storage/fileSync.js';
import { isEncryptedFile } from './ClassFileCipher.js';
import type { ClassKeys } from './ClassKeys.js';
import { resolveUserDataClass, type UserDataClass, type UserDataRoots } from './userDataClasses.js';

/**
 * How a class was erased, by what its bytes were: `crypto-erase` when every file was ciphertext
 * under the class key (destroying the key erased it; the files are then deleted), `overwrite` when
 * its files were plaintext (each overwritten in place, synced, then deleted), `crypto-erase+overwrite`
 * for a class with both, `nothing-stored` when it had no file.
 */
export type ErasureMethod = 'crypto-erase' | 'overwrite' | 'crypto-erase+overwrite' | 'nothing-stored';

/**
 * How the class's key was destroyed: `key-file` (the class key file overwritten and unlinked: the
 * simulated headset's user-space encryption), `fscrypt-policy` (linux: the key evicted from the
 * kernel keyring, the key file destroyed, the policy and its protector removed).
 */
export type KeyErasure = 'key-file' | 'fscrypt-policy';

/**
 * A profile's way to destroy a class's key where the key protects more than files it wrapped
 * itself (linux: the class folders' fscrypt policy). Without one, SecureWipe destroys the key file.
 */
export interface ClassKeyEraser {
  readonly keyErasure: KeyErasure;
  /** The class's folders whose bytes on disk are ciphertext under the class key, whatever a reader sees while they are unlocked. */
  protectedFolders(cls: UserDataClass): Promise<string[]>;
  /** Destroys the class's key (idempotent); whether there was one. */
  destroy(cls: UserDataClass): Promise<boolean>;
}

export interface ClassInventory {
  classId: string;
  title: string;
  files: number;
  encryptedFiles: number;
  plaintextFiles: number;
  bytes: number;
  method: ErasureMethod;
  /** How its key goes (absent: the class has no key). */
  keyErasure?: KeyErasure;
}

export interface ClassVerification {
  classId: string;
  /** Files still found where the class lives (relative to the data root), and whether its key is still there. */
  remaining: string[];
  keyPresent: boolean;
  ok: boolean;
}

export interface WipeOptions {
  /**
   * Passes over a plaintext file before it is deleted (default 1; at most 3). More than one pass only
   * means something on magnetic media, where the file's blocks are overwritten in place; on flash an
   * overwrite lands on new cells (NIST SP 800-88 Rev. 2: cryptographic erase is the sanitization that works there).
   */
  overwritePasses?: number;
}

/**
 * Erases user-data classes in the order that makes the claim true: inventory (what each class
 * holds, ciphertext or plaintext), destroy every class key, erase the files, verify. Each step is
 * idempotent so the reset transaction can journal it and run it again after a power cut.
 */
export class SecureWipe {
  constructor(
    private readonly roots: UserDataRoots,
    private readonly keys: ClassKeys,
    private readonly eraser?: ClassKeyEraser,
  ) {}

  async inventory(classes: readonly UserDataClass[]): Promise<ClassInventory[]> {
    const result: ClassInventory[] = [];
    for (const cls of classes) {
      let encryptedFiles = 0;
      let plaintextFiles = 0;
      let bytes = 0;
      const protectedFolders = (await this.eraser?.protectedFolders(cls)) ?? [];
      const isProtected = (file: string) => protectedFolders.some((folder) => !relative(folder, file).startsWith('..'));
      for (const file of await this.filesOf(cls)) {
        const head = await readHead(file);
        if (head === null) continue;
        // A file under an fscrypt policy reads as plaintext while unlocked; its blocks are ciphertext.
        if (isEncryptedFile(head.bytes) || isProtected(file)) encryptedFiles++;
        else plaintextFiles++;
        bytes += head.size;
      }
      const files = encryptedFiles + plaintextFiles;
      const method: ErasureMethod =
        files === 0 ? 'nothing-stored' : plaintextFiles === 0 ? 'crypto-erase' : encryptedFiles === 0 ? 'overwrite' : 'crypto-erase+overwrite';
      const keyErasure: KeyErasure | undefined =
        protectedFolders.length > 0 && this.eraser ? this.eraser.keyErasure : (await this.keys.get(cls.id)) ? 'key-file' : undefined;
      result.push({ classId: cls.id, title: cls.title, files, encryptedFiles, plaintextFiles, bytes, method, ...(keyErasure ? { keyErasure } : {}) });
    }
    return result;
  }

  /** Step one, before any file is touched: every class's key is destroyed. */
  async destroyKeys(classes: readonly UserDataClass[]): Promise<string[]> {
    const destroyed: string[] = [];
    for (const cls of classes) if (await (this.eraser ? this.eraser.destroy(cls) : this.keys.destroy(cls.id))) destroyed.push(cls.id);
    return destroyed;
  }

  /** Step two: every file of the classes deleted (plaintext overwritten first); the folders a class names stay, empty. */
  async erase(classes: readonly UserDataClass[], options: WipeOptions = {}): Promise<void> {
    const passes = Math.min(3, Math.max(1, options.overwritePasses ?? 1));
    for (const cls of classes) {
      const folders = new Set<string>();
      for (const file of await this.filesOf(cls)) {
        const head = await readHead(file);
        if (head && !isEncryptedFile(head.bytes)) await overwrite(file, head.size, passes);
        await unlink(file).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
        folders.add(dirname(file));
      }
      // The removals made durable, one fsync per folder.
      for (const folder of folders)
        await fsyncDirectory(folder).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      // Sub-folders of a class's folders go too (their names can be personal: an app's, a network's).
      for (const location of resolveUserDataClass(cls, this.roots)) {
        if (!location.folder) continue;
        for (const entry of await readdir(location.path).catch(() => [] as string[]))
          await rm(`${location.path}/${entry}`, { recursive: true, force: true });
        await fsyncDirectory(location.path).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
    }
  }

  /** Step three: nothing of the classes is left, no key of theirs either. */
  async verify(classes: readonly UserDataClass[]): Promise<ClassVerification[]> {
    const result: ClassVerification[] = [];
    for (const cls of classes) {
      const remaining = (await this.filesOf(cls)).map((file) => relative(this.roots.data, file));
      const keyPresent = (await this.keys.get(cls.id)) !== null;
      result.push({ classId: cls.id, remaining, keyPresent, ok: remaining.length === 0 && !keyPresent });
    }
    return result;
  }

  /** Every regular file (or link) where the class lives; the key file is not one of them. */
  async filesOf(cls: UserDataClass): Promise<string[]> {
    const files: string[] = [];
    for (const location of resolveUserDataClass(cls, this.roots)) {
      if (!location.folder) {
        if (await exists(location.path)) files.push(location.path);
        continue;
      }
      const entries = await readdir(location.path, { withFileTypes: true, recursive: true }).catch(() => []);
      for (const entry of entries) if (!entry.isDirectory()) files.push(`${entry.parentPath}/${entry.name}`);
    }
    return files.sort();
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The first bytes and size of a regular file; null for anything else (a link is deleted, never
 * followed) and for a file of a locked fscrypt folder (ENOKEY: its key is gone, only ciphertext is left).
 */
async function readHead(path: string): Promise<{ bytes: Buffer; size: number } | null> {
  const info = await lstat(path).catch(() => null);
  if (!info?.isFile()) return null;
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    // Node's libuv knows no name for ENOKEY (126): it reports errno -126.
    if (error.code === 'ENOKEY' || error.errno === -126) return null;
    throw error;
  });
  if (!handle) return null;
  try {
    const bytes = Buffer.alloc(8);
    const { bytesRead } = await handle.read(bytes, 0, 8, 0);
    return { bytes: bytes.subarray(0, bytesRead), size: info.size };
  } finally {
    await handle.close();
  }
}

async function overwrite(path: string, size: number, passes: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const block = Buffer.alloc(Math.min(size, 1 << 20));
    for (let pass = 0; pass < passes; pass++) {
      for (let at = 0; at < size; at += block.length) {
        // The last pass writes zeros, the ones before random bytes.
        if (pass < passes - 1) sodium.randombytes_buf(block);
        else block.fill(0);
        await handle.write(block, 0, Math.min(block.length, size - at), at);
      }
      await fileSync().syncFile(handle, path, { dataOnly: true });
    }
  } finally {
    await handle.close();
  }
}
