import type { UpdateHistoryEntry } from '../../../src/api/contract.js';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { InstallRecord } from './InstallJournal.js';

/** Entries kept: the newest, enough to explain any recent trouble. */
const HISTORY_LENGTH = 50;

/** What happened to each update and rollback, in one file (oldest first on disk). */
export class UpdateHistory {
  constructor(private readonly path: string) {}

  async newestFirst(): Promise<UpdateHistoryEntry[]> {
    return (await this.read()).slice().reverse();
  }

  /** Appends `entries` in one write: whoever reads the history sees all of them or none. */
  async append(...entries: UpdateHistoryEntry[]): Promise<void> {
    const history = await this.read();
    // Recorded again after a power cut: an entry already there stays the only one.
    const added = entries.filter(
      (entry) => !history.some((known) => known.version === entry.version && known.startedAt === entry.startedAt && known.outcome === entry.outcome),
    );
    if (added.length === 0) return;
    history.push(...added);
    await writeFileAtomic(this.path, JSON.stringify(history.slice(-HISTORY_LENGTH), null, 2));
  }

  private async read(): Promise<UpdateHistoryEntry[]> {
    return (await readJsonIfExists<UpdateHistoryEntry[]>(this.path)) ?? [];
  }
}

/**
 * The history entries of an install that has ended, oldest first: its outcome (committed, rolled
 * back or failed), after the wearer's going back when it was a kept version's reinstall that
 * committed; the going back alone when it was back to the other slot (nothing was installed);
 * none for one still under way.
 */
export function finishedInstallEntries(record: InstallRecord): UpdateHistoryEntry[] {
  const entry = finishedInstallEntry(record);
  if (!entry) return [];
  const wentBackTo = record.manualRollback;
  if (entry.outcome !== 'committed' || !wentBackTo) return [entry];
  const wentBack: UpdateHistoryEntry = {
    ...entry,
    // Done once its data came back at the trial boot (the commit's own time for a record without it).
    finishedAt: wentBackTo.dataRestoredAt ?? entry.finishedAt,
    outcome: 'manual-rollback',
    detail: wentBackTo.otherSlot
      ? `Back from ${record.fromVersion} to ${record.version} at the wearer's request.`
      : `Back from ${record.fromVersion} to the kept ${record.version} at the wearer's request.`,
  };
  return wentBackTo.otherSlot ? [wentBack] : [wentBack, entry];
}

function finishedInstallEntry(record: InstallRecord): UpdateHistoryEntry | undefined {
  const state = record.state;
  if (state.step !== 'committed' && state.step !== 'rolled-back' && state.step !== 'failed') return undefined;
  const outcome =
    state.step === 'failed' ? `${state.code}: ${state.message}` : state.step === 'rolled-back' ? state.reason : 'Installed, tried and committed.';
  // Services that did not start again after the slot write are part of what happened.
  const problems = record.services?.problems ?? [];
  const detail = problems.length === 0 ? outcome : `${outcome} Not started again after the install: ${problems.join('; ')}`;
  return {
    version: record.version,
    fromVersion: record.fromVersion,
    slot: record.target,
    startedAt: record.startedAt,
    finishedAt: state.at,
    outcome: state.step,
    detail,
  };
}
