import { join } from 'node:path';
import type { setupCalls, setupEvents } from '../../../src/api/contract/setup.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { SetupJournal } from './SetupJournal.js';

/** Beside `setup.json` (the mode's "setup finished") in headsetd's state folder: a factory reset erases both. */
export const setupJournalPath = (stateDir: string) => join(stateDir, 'setup-journal.json');

/** The first-run wizard's journal (setup.progress, setup.save; setup.changed). */
export function setupCapability(needs: { stateDir: string; log: SubsystemLogger }): Capability<SetupJournal> {
  const file = setupJournalPath(needs.stateDir);
  const journal = new SetupJournal(file, (reason) =>
    needs.log.warn('the setup journal was unreadable; setup starts from its first step', { file, reason }),
  );
  const handlers: HandlersOf<typeof setupCalls> = {
    'setup.progress': () => journal.current(),
    'setup.save': (input) => journal.save(input),
  };
  const events: EventsOf<typeof setupEvents> = { 'setup.changed': journal.state };
  return {
    provides: journal,
    handlers,
    events,
    start: async () => {
      await journal.load();
    },
  };
}
