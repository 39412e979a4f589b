import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDirectory, readFileIfExists, writeFileAtomic } from '../storage/atomicFile.js';

/**
 * The licence's files in headsetd's state folder (`state/license/`, user-data class `license`): the
 * installed licence exactly as issued, and the last revocation list that verified, exactly as
 * fetched (re-verified on every load, so a changed file on disk is not trusted).
 */
export const LICENSE_STATE_FOLDER = 'license';
const LICENSE_FILE = 'license.hclicense';
const REVOCATIONS_FILE = 'revocations.json';
const FETCHED_FILE = 'revocations-fetched.json';

export class LicenseStore {
  constructor(readonly dir: string) {}

  readLicense = async () => (await readFileIfExists(join(this.dir, LICENSE_FILE)))?.toString('utf8');
  readRevocations = async () => (await readFileIfExists(join(this.dir, REVOCATIONS_FILE)))?.toString('utf8');

  async readFetchedAt(): Promise<string | null> {
    const text = (await readFileIfExists(join(this.dir, FETCHED_FILE)))?.toString('utf8');
    try {
      const value = text && (JSON.parse(text) as { fetchedAt?: unknown }).fetchedAt;
      return typeof value === 'string' ? value : null;
    } catch {
      return null;
    }
  }

  async writeLicense(text: string): Promise<void> {
    await ensureDirectory(this.dir);
    await writeFileAtomic(join(this.dir, LICENSE_FILE), text, { mode: 0o600 });
  }

  async writeRevocations(text: string, fetchedAt: string): Promise<void> {
    await ensureDirectory(this.dir);
    await writeFileAtomic(join(this.dir, REVOCATIONS_FILE), text, { mode: 0o600 });
    await writeFileAtomic(join(this.dir, FETCHED_FILE), `${JSON.stringify({ fetchedAt })}\n`, { mode: 0o600 });
  }

  /** The newest modification time of the licence's files: a lower bound of the time (the trusted clock checks it). */
  async newestFileTimeMs(): Promise<number> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    let newest = 0;
    for (const name of names) {
      const info = await stat(join(this.dir, name)).catch(() => undefined);
      if (info?.isFile()) newest = Math.max(newest, info.mtimeMs);
    }
    return newest;
  }
}
