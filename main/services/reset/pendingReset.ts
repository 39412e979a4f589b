import type { PendingReset } from '../mode/ports.js';
import { ResetJournal } from './ResetJournal.js';

/**
 * The reset capability's answer to "is a factory reset cut short?", read from its journal on the
 * persist partition: any step but `restart` (which a finished reset journals before it restarts)
 * is a transaction still to finish, which the reset capability resumes at start.
 */
export function pendingResetFromJournal(resetDir: string): PendingReset {
  const journal = new ResetJournal(resetDir);
  return {
    async pending() {
      const entry = await journal.read().catch(() => undefined);
      return entry !== undefined && entry.step !== 'restart';
    },
  };
}
