import { lstat, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureDirectory, fsyncDirectory, writeFileAtomic } from '../storage/atomicFile.js';

interface PutBackJournal {
  restoredRoot: string;
  asideDir: string;
  dataDir: string;
  paths: string[];
}

/**
 * Swaps restored class folders into the data partition: each live path is renamed aside, the
 * restored one renamed in (same file system: each step is atomic), then the old copies are removed.
 * A journal written first lets `recover` finish the swap after a power cut: a path left with neither
 * copy in place gets the restored one, or failing that its old one back.
 */
export class ClassPutBack {
  constructor(private readonly journalPath: string) {}

  async putBack(journal: PutBackJournal): Promise<void> {
    await ensureDirectory(dirname(this.journalPath));
    await writeFileAtomic(this.journalPath, JSON.stringify(journal), { mode: 0o600 });
    await ensureDirectory(journal.asideDir);
    for (const [index, path] of journal.paths.entries()) {
      const live = join(journal.dataDir, path);
      const restored = join(journal.restoredRoot, path);
      const aside = join(journal.asideDir, String(index));
      await ensureDirectory(dirname(live));
      if (await exists(live)) await rename(live, aside);
      if (await exists(restored)) await rename(restored, live);
      await fsyncDirectory(dirname(live));
    }
    await this.#finish(journal);
  }

  /** Completes a swap a power cut interrupted (called at start). */
  async recover(): Promise<boolean> {
    const text = await readFile(this.journalPath, 'utf8').catch(() => undefined);
    if (text === undefined) return false;
    const journal = JSON.parse(text) as PutBackJournal;
    for (const [index, path] of journal.paths.entries()) {
      const live = join(journal.dataDir, path);
      if (await exists(live)) continue;
      const restored = join(journal.restoredRoot, path);
      const aside = join(journal.asideDir, String(index));
      if (await exists(restored)) await rename(restored, live);
      else if (await exists(aside)) await rename(aside, live);
      await fsyncDirectory(dirname(live));
    }
    await this.#finish(journal);
    return true;
  }

  async #finish(journal: PutBackJournal): Promise<void> {
    await rm(journal.asideDir, { recursive: true, force: true });
    await rm(journal.restoredRoot, { recursive: true, force: true });
    await rm(this.journalPath, { force: true });
    await fsyncDirectory(dirname(this.journalPath));
  }
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}
