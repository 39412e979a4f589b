import { setupProgressSchema, type SetupProgress } from '../../../src/api/contract/setup.js';
import { applySetupChange, FRESH_SETUP, type SetupChange } from '../../../src/setup/setupProgress.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';

export { FRESH_SETUP } from '../../../src/setup/setupProgress.js';

/**
 * The wizard's journal in one file (temp, fsync, rename, fsync the folder): each change is on disk
 * before it is answered, so a power cut returns the wizard to the step it was on. A file that does
 * not parse (cut mid-way on a disk without the rename's guarantee, or edited by hand) starts the
 * wizard afresh rather than keep the headset out of it.
 */
export class SetupJournal {
  readonly state = new StateChannel<SetupProgress>();
  /** Saves one after the other: two quick steps must not both read the same old journal. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly onUnreadable: (reason: string) => void = () => undefined,
  ) {}

  async load(): Promise<SetupProgress> {
    let progress = FRESH_SETUP;
    try {
      const raw = await readJsonIfExists(this.file);
      if (raw !== undefined) {
        const parsed = setupProgressSchema.safeParse(raw);
        if (parsed.success) progress = parsed.data;
        else this.onUnreadable('does not match the journal format');
      }
    } catch (error) {
      this.onUnreadable(error instanceof Error ? error.message : String(error));
    }
    this.state.set(progress);
    return progress;
  }

  current(): SetupProgress {
    return this.state.current() ?? FRESH_SETUP;
  }

  save(change: SetupChange, now = new Date()): Promise<SetupProgress> {
    const run = this.queue.then(async () => {
      const next = applySetupChange(this.current(), change, now);
      await writeFileAtomic(this.file, JSON.stringify(next));
      this.state.set(next);
      return next;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
