import { join } from 'node:path';
import type { setupCalls, setupEvents } from '../../../src/api/contract/setup.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { WearerProfilePort } from '../profile/profileCapability.js';
import { SetupJournal } from './SetupJournal.js';

/** Beside `setup.json` (the mode's "setup finished") in headsetd's state folder: a factory reset erases both. */
export const setupJournalPath = (stateDir: string) => join(stateDir, 'setup-journal.json');

/**
 * The first-run wizard's journal (setup.progress, setup.save; setup.changed). The name and formats
 * the wearer enters go on to their profile (`profile`), where Settings, You changes them later.
 */
export function setupCapability(needs: { stateDir: string; log: SubsystemLogger; profile?: WearerProfilePort }): Capability<SetupJournal> {
  const file = setupJournalPath(needs.stateDir);
  const journal = new SetupJournal(file, (reason) =>
    needs.log.warn('the setup journal was unreadable; setup starts from its first step', { file, reason }),
  );
  // One save at a time, answered in the order asked: the wizard shows the next step as soon as
  // setup.changed says so, and a wearer quick with Enter saves again before the first answer is
  // back; a first answer overtaken by the second (its profile write is slower) took the wizard back.
  let saving: Promise<unknown> = Promise.resolve();
  const handlers: HandlersOf<typeof setupCalls> = {
    'setup.progress': () => journal.current(),
    'setup.save': (input) => {
      const run = saving.then(async () => {
        const next = await journal.save(input);
        const { locale, wearerName } = input.entered ?? {};
        if (needs.profile && (locale !== undefined || wearerName !== undefined)) await needs.profile.set({ locale, wearerName });
        return next;
      });
      saving = run.catch(() => undefined);
      return run;
    },
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
