import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureDirectory, fsyncDirectory, readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { ConfigurationReset, ConfigurationResetChoices, ConfigurationResetReport } from './ConfigurationReset.js';

/** The step a journaled configuration reset does next; each is idempotent, so a power cut repeats it at the next start. */
export type ConfigurationResetStep = 'erase-classes' | 'defaults' | 'network' | 'restart';

/** Known at confirmation, before anything was touched. */
interface ConfigurationResetFacts {
  id: string;
  startedAt: string;
  choices: ConfigurationResetChoices;
  /** Calibration's SHA-256 before anything ran: the report compares the end against it, whatever cut came between. */
  calibrationBefore: string | null;
}

export type ConfigurationResetJournalEntry =
  | ({ step: 'erase-classes' } & ConfigurationResetFacts)
  | ({ step: 'defaults' } & ConfigurationResetFacts)
  | ({ step: 'network'; restored: ConfigurationResetReport['restored'] } & ConfigurationResetFacts)
  | ({ step: 'restart'; report: ConfigurationResetReport; finishedAt: string } & ConfigurationResetFacts);

/** The configuration reset's journal, beside the wipe's on the persist partition (no reset touches it). */
export class ConfigurationResetJournal {
  readonly path: string;
  constructor(dir: string) {
    this.path = join(dir, 'configure.json');
  }

  read(): Promise<ConfigurationResetJournalEntry | undefined> {
    return readJsonIfExists<ConfigurationResetJournalEntry>(this.path);
  }

  async write(entry: ConfigurationResetJournalEntry): Promise<void> {
    await ensureDirectory(dirname(this.path));
    await writeFileAtomic(this.path, JSON.stringify(entry));
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
    await fsyncDirectory(dirname(this.path));
  }
}

export interface ConfigurationResetTransactionOptions {
  reset: ConfigurationReset;
  journal: ConfigurationResetJournal;
  /** Stops the services that write settings or user data before the first step (the wipe's quiesce): a service saving its settings from memory would undo a default, or leave a file in an erased class. */
  quiesce?(): Promise<void>;
  /** The restart that brings every service up on the defaults (after the answer, or at once when resumed at start). */
  restart(): Promise<void>;
  now?: () => Date;
  log?: { info(message: string, fields?: Record<string, unknown>): void; error(message: string, fields?: Record<string, unknown>): void };
}

/**
 * `reset.configure` as a journaled transaction, like the wipe's:
 *
 *          confirm                    keys of the PIN /      table written     network's own
 *   idle ──────────▶ erase-classes ──▶ accounts destroyed ──▶ defaults ──────▶ network ──────▶ restart ──▶ idle
 *          journal written first       then their files       back             reset           report journaled; cleared at the next start
 *    ▲
 *    └── a power cut anywhere: the next start reads the journal, stops the services again and resumes at its step, then restarts
 *
 * Nothing is touched before the first journal write is durable; every step is idempotent, so a cut
 * mid-step runs it again. After a cut the headset has its old configuration or the defaults, never
 * a PIN erased with the settings left, and calibration is compared with its hash from before.
 */
export class ConfigurationResetTransaction {
  private running: Promise<unknown> | undefined;

  constructor(private readonly options: ConfigurationResetTransactionOptions) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Journals the reset, runs it and answers with its report; the caller restarts the headset once the answer is out. */
  async begin(choices: ConfigurationResetChoices): Promise<ConfigurationResetReport> {
    if (this.running) throw new Error('a configuration reset is already under way');
    return this.track(
      (async () => {
        const facts: ConfigurationResetFacts = {
          id: randomUUID(),
          startedAt: (this.options.now?.() ?? new Date()).toISOString(),
          choices: { keepPin: choices.keepPin, keepAccounts: choices.keepAccounts },
          calibrationBefore: await this.options.reset.calibrationHash(),
        };
        // The commit point: from here a cut finishes the reset instead of forgetting it.
        await this.options.journal.write({ ...facts, step: 'erase-classes' });
        return this.run({ ...facts, step: 'erase-classes' });
      })(),
    );
  }

  /**
   * At start: a configuration reset that reached its restart is over (the journal cleared); one cut
   * short is resumed (the services stopped again, the steps left run) and the headset restarted.
   */
  async resume(): Promise<{ done: Promise<void> }> {
    const entry = await this.options.journal.read();
    if (!entry) return { done: Promise.resolve() };
    if (entry.step === 'restart') {
      await this.options.journal.clear();
      this.options.log?.info('configuration reset finished by the restart', { id: entry.id });
      return { done: Promise.resolve() };
    }
    this.options.log?.info('resuming a configuration reset cut short', { id: entry.id, step: entry.step });
    const done = this.track(this.run(entry)).then(() => this.options.restart());
    return { done };
  }

  private track<T>(work: Promise<T>): Promise<T> {
    const running = work.finally(() => {
      this.running = undefined;
    });
    this.running = running;
    return running;
  }

  private async run(entry: ConfigurationResetJournalEntry): Promise<ConfigurationResetReport> {
    if (entry.step === 'restart') return entry.report;
    const { id, startedAt, choices, calibrationBefore } = entry;
    const facts: ConfigurationResetFacts = { id, startedAt, choices, calibrationBefore };
    const { reset, journal } = this.options;
    let step: ConfigurationResetStep = entry.step;
    try {
      await this.options.quiesce?.();
      if (step === 'erase-classes') {
        await reset.eraseChosen(choices);
        await journal.write({ ...facts, step: (step = 'defaults') });
      }
      let restored = entry.step === 'network' ? entry.restored : [];
      if (step === 'defaults') {
        restored = await reset.restoreDefaults();
        await journal.write({ ...facts, step: (step = 'network'), restored });
      }
      const network = await reset.resetNetwork();
      const report = await reset.finish({ choices, restored, network, calibrationBefore });
      await journal.write({ ...facts, step: (step = 'restart'), report, finishedAt: (this.options.now?.() ?? new Date()).toISOString() });
      return report;
    } catch (error) {
      this.options.log?.error('configuration reset step failed; it runs again at the next start', { step, error: (error as Error).message });
      throw error;
    }
  }
}
