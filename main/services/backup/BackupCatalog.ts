import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { backupRecordSchema, type BackupRecord, type Verification } from '../../../src/api/contract/backup.js';
import { ensureDirectory, writeFileAtomic } from '../storage/atomicFile.js';

const catalogSchema = z.object({
  version: z.literal(1),
  backups: z.array(backupRecordSchema),
  /** How many verifications after a backup ran per destination: which part of the packs the next one reads. */
  rotation: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /** Per destination: the class manifest digest (ClassManifest.ts) of its newest backup that verified, and that backup's id. */
  unchanged: z.record(z.string(), z.object({ id: z.string(), digest: z.string() })).default({}),
});
type CatalogFile = z.infer<typeof catalogSchema>;

/**
 * What this headset knows of its backups without a passphrase (the repositories are encrypted):
 * when, where, how big, what they hold and their latest verification. One JSON file, replaced
 * atomically; an unreadable one starts empty (the backups themselves are in their repositories,
 * and backup.browse finds them again with the passphrase).
 */
export class BackupCatalog {
  #file: CatalogFile = { version: 1, backups: [], rotation: {}, unchanged: {} };

  constructor(private readonly path: string) {}

  async load(): Promise<void> {
    const text = await readFile(this.path, 'utf8').catch(() => undefined);
    if (text === undefined) return;
    try {
      this.#file = catalogSchema.parse(JSON.parse(text));
    } catch {
      this.#file = { version: 1, backups: [], rotation: {}, unchanged: {} };
    }
  }

  list(): BackupRecord[] {
    return [...this.#file.backups].sort((a, b) => b.time.localeCompare(a.time));
  }

  find(destination: string, id: string): BackupRecord | undefined {
    return this.#file.backups.find((record) => record.destination === destination && (record.id.startsWith(id) || id.startsWith(record.id)));
  }

  latest(destination: string): BackupRecord | undefined {
    return this.list().find((record) => record.destination === destination);
  }

  async add(record: BackupRecord): Promise<void> {
    this.#file.backups = [...this.#file.backups.filter((r) => !(r.destination === record.destination && r.id === record.id)), record];
    await this.#save();
  }

  async setVerified(destination: string, id: string, verification: Verification): Promise<void> {
    const record = this.find(destination, id);
    if (!record) return;
    record.verified = verification;
    await this.#save();
  }

  /**
   * The newest backup at `destination` when it verified and the classes' manifest digest is still the
   * one it was made from: a new backup would store nothing new.
   */
  unchangedSince(destination: string, digest: string): BackupRecord | undefined {
    const entry = this.#file.unchanged[destination];
    const latest = this.latest(destination);
    if (!entry || entry.digest !== digest || latest?.id !== entry.id || latest.verified?.result !== 'ok') return undefined;
    return latest;
  }

  async setUnchangedSince(destination: string, id: string, digest: string): Promise<void> {
    this.#file.unchanged[destination] = { id, digest };
    await this.#save();
  }

  /** Forgets backups that retention removed from their repository. */
  async remove(destination: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    this.#file.backups = this.#file.backups.filter((record) => !(record.destination === destination && ids.some((id) => id.startsWith(record.id))));
    const unchanged = this.#file.unchanged[destination];
    if (unchanged && ids.some((id) => id.startsWith(unchanged.id))) delete this.#file.unchanged[destination];
    await this.#save();
  }

  /** The next rotation number for `destination` (0, 1, 2, …), counted durably. */
  async nextRotation(destination: string): Promise<number> {
    const value = this.#file.rotation[destination] ?? 0;
    this.#file.rotation[destination] = value + 1;
    await this.#save();
    return value;
  }

  async #save(): Promise<void> {
    await ensureDirectory(dirname(this.path));
    await writeFileAtomic(this.path, `${JSON.stringify(this.#file, null, 2)}\n`, { mode: 0o600 });
  }
}
