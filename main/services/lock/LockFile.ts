import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LockRecord, LockVault } from '../../../src/lock/DeviceLock.js';
import { ensureDirectory, fsyncDirectory, readFileIfExists, writeFileAtomic } from '../storage/atomicFile.js';

/** The lock file's format version. */
export const LOCK_FILE_FORMAT = 1;

/**
 * An Argon2id string as libsodium writes it, with bounds on its cost: a file edited to demand
 * gigabytes or hours would otherwise stall every unlock.
 */
const ARGON2ID = /^\$argon2id\$v=19\$m=(\d{1,8}),t=(\d{1,3}),p=1\$[A-Za-z0-9+/]{16,64}\$[A-Za-z0-9+/]{32,128}$/;
const MAX_MEMORY_KIB = 1024 * 1024;
const MAX_PASSES = 16;
const MAX_FAILURES = 1_000_000;

/**
 * The device lock on the data partition (`lock.json` in headsetd's state folder, 0600): the PIN's
 * Argon2id hash and the wrong PINs in a row with the wait they impose, replaced whole (temp,
 * fsync, rename, fsync the folder) at every change. No file: no PIN. A file that is not exactly a
 * lock record reads as `unreadable`: the lock fails closed rather than taking it for "no PIN".
 */
export class LockFile implements LockVault {
  constructor(
    readonly path: string,
    /** Why the file could not be read (for the log; never its content). */
    private readonly onUnreadable: (reason: string) => void = () => undefined,
  ) {}

  async read(): Promise<LockRecord | 'unreadable' | undefined> {
    let bytes: Buffer | undefined;
    try {
      bytes = await readFileIfExists(this.path);
    } catch (error) {
      return this.unreadable(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (bytes === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      return this.unreadable(bytes.length === 0 ? 'is empty' : 'is not JSON');
    }
    const problem = recordProblem(json);
    if (problem) return this.unreadable(problem);
    const { pinHash, failures, waitUntil } = json as { pinHash: string; failures: number; waitUntil: number };
    return { pinHash, attempts: { failures, waitUntil } };
  }

  async write(record: LockRecord | undefined): Promise<void> {
    const dir = dirname(this.path);
    if (record === undefined) {
      try {
        await unlink(this.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      await fsyncDirectory(dir);
      return;
    }
    await ensureDirectory(dir);
    const content = { format: LOCK_FILE_FORMAT, pinHash: record.pinHash, failures: record.attempts.failures, waitUntil: record.attempts.waitUntil };
    await writeFileAtomic(this.path, `${JSON.stringify(content)}\n`, { mode: 0o600 });
  }

  private unreadable(reason: string): 'unreadable' {
    this.onUnreadable(reason);
    return 'unreadable';
  }
}

/** What makes `json` something other than a lock record, or undefined when it is one. */
function recordProblem(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'is not a lock record';
  const record = json as Record<string, unknown>;
  const keys = Object.keys(record).sort().join(',');
  if (keys !== 'failures,format,pinHash,waitUntil') return 'has unexpected fields';
  if (record.format !== LOCK_FILE_FORMAT) return 'has an unknown format';
  if (typeof record.pinHash !== 'string') return 'holds no PIN hash';
  const hash = ARGON2ID.exec(record.pinHash);
  if (!hash) return 'holds a PIN hash that is not Argon2id';
  if (Number(hash[1]) > MAX_MEMORY_KIB || Number(hash[2]) > MAX_PASSES || Number(hash[2]) < 1) return 'holds a PIN hash with out-of-range costs';
  if (!Number.isSafeInteger(record.failures) || (record.failures as number) < 0 || (record.failures as number) > MAX_FAILURES)
    return 'has a wrong count of failures';
  if (!Number.isSafeInteger(record.waitUntil) || (record.waitUntil as number) < 0) return 'has a wrong wait';
  return undefined;
}
