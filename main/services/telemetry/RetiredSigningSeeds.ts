import { open, readdir, readFile, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileSync } from '../storage/fileSync.js';
import { ensureDirectory, fsyncDirectory, writeFileAtomic } from '../storage/atomicFile.js';

const SEED_FILE = /^([0-9a-f]{32})\.seed$/;

/**
 * Signing seeds of weeks whose pseudonym key was replaced (opt-out of everything) while records
 * of those weeks were still queued: one file `<pseudonym>.seed` (32 bytes, 0600) per week, so
 * those records are still signed by their own week's key and never by the new one. A seed is
 * destroyed (overwritten, synced, unlinked, folder synced) once no queued record carries its
 * pseudonym. Only seeds are kept, never the old pseudonym key: a seed tells nothing of other weeks.
 */
export class RetiredSigningSeeds {
  private readonly seeds = new Map<string, Buffer>();

  constructor(private readonly dir: string) {}

  async load(): Promise<void> {
    this.seeds.clear();
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names) {
      // A temporary file of a write cut short may hold a seed: it goes (the week's records are dropped).
      if (name.startsWith('.') && name.endsWith('.tmp')) await unlink(join(this.dir, name)).catch(() => undefined);
      const match = SEED_FILE.exec(name);
      if (!match) continue;
      const bytes = await readFile(join(this.dir, name));
      // A torn write cannot be here (temp, fsync, rename); anything else is not a seed.
      if (bytes.length === 32) this.seeds.set(match[1]!, bytes);
    }
  }

  get(pseudonym: string): Buffer | undefined {
    return this.seeds.get(pseudonym);
  }

  pseudonyms(): string[] {
    return [...this.seeds.keys()];
  }

  /** Kept durably before the key that derives it is replaced. */
  async keep(pseudonym: string, seed: Buffer): Promise<void> {
    if (!/^[0-9a-f]{32}$/.test(pseudonym)) throw new Error('a pseudonym is 32 hex characters');
    await ensureDirectory(this.dir);
    await writeFileAtomic(join(this.dir, `${pseudonym}.seed`), seed, { mode: 0o600 });
    this.seeds.set(pseudonym, seed);
  }

  /** Destroys the seeds of weeks no queued record belongs to; returns how many went. */
  async retainOnly(queued: ReadonlySet<string>): Promise<number> {
    let destroyed = 0;
    for (const pseudonym of this.pseudonyms()) {
      if (queued.has(pseudonym)) continue;
      await this.destroy(pseudonym);
      destroyed++;
    }
    return destroyed;
  }

  /** Overwritten in place and synced, then unlinked and the folder synced; a cut between steps is finished next time. */
  private async destroy(pseudonym: string): Promise<void> {
    this.seeds.get(pseudonym)?.fill(0);
    this.seeds.delete(pseudonym);
    const path = join(this.dir, `${pseudonym}.seed`);
    let handle;
    try {
      handle = await open(path, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      await handle.write(randomBytes(32), 0, 32, 0);
      await fileSync().syncFile(handle, path);
    } finally {
      await handle.close();
    }
    await unlink(path);
    await fsyncDirectory(this.dir);
  }
}
