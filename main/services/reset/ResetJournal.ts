import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { WipeScope } from '../../../src/reset/wipeScopes.js';
import { ensureDirectory, fsyncDirectory, readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { ClassInventory } from '../userData/SecureWipe.js';

/** The step a journaled reset does next; each is idempotent, so a power cut repeats it at the next start. */
export type ResetStep = 'destroy-keys' | 'erase' | 'defaults' | 'verify' | 'retire-identity' | 'restart';

/** What was found at confirmation, before anything was touched: the sanitization record reports it. */
export interface ResetFacts {
  id: string;
  scope: WipeScope;
  startedAt: string;
  overwritePasses: number;
  overwriteReason: string | null;
  inventory: ClassInventory[];
  /** Classes that had a key at confirmation (so "key destroyed" is known after a cut mid-step). */
  keyed: string[];
  /** SHA-256 of each kept class that must stay unchanged (calibration), taken at confirmation. */
  keptHashes: Array<{ classId: string; sha256: string | null }>;
}

export type ResetJournalEntry =
  | ({ step: 'destroy-keys' | 'erase' | 'defaults' | 'verify' } & ResetFacts)
  | ({ step: 'retire-identity' | 'restart'; recordId: string; verification: 'passed' | 'failed'; finishedAt: string } & ResetFacts);

/** The reset's journal on the persist partition (which no wipe touches), written before each step. */
export class ResetJournal {
  readonly path: string;
  constructor(dir: string) {
    this.path = join(dir, 'journal.json');
  }

  read(): Promise<ResetJournalEntry | undefined> {
    return readJsonIfExists<ResetJournalEntry>(this.path);
  }

  async write(entry: ResetJournalEntry): Promise<void> {
    await ensureDirectory(dirname(this.path));
    await writeFileAtomic(this.path, JSON.stringify(entry));
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
    await fsyncDirectory(dirname(this.path));
  }
}
