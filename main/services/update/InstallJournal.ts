import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { BootSlot } from '../../../src/boot/bootSelection.js';

/**
 * The install's steps, written (fsync, rename) before each is taken, so a power cut at any point
 * resumes the step it was in. Every step is idempotent.
 *
 *   mark-unbootable -> write{image} -> record -> switch -> await-reboot --boot into target-->
 *       trial --healthy--> committed
 *             --tries run out, bootloader falls back--> rolled-back
 *   (a bundle that fails verification or a check) -> failed
 *
 * A boot into the target with the journal still at "switch" (a cut between the switch and its
 * entry) is the trial: the switch evidently happened, and "await-reboot" is written then.
 * Going back to the other slot is a record that starts at "switch" (manualRollback.otherSlot).
 * A finished step is written `reported: false`, and `reported: true` once its bookkeeping is done.
 */
export type InstallStep =
  | { step: 'mark-unbootable' }
  | { step: 'write'; image: number }
  | { step: 'record' }
  /** `installBootId`: the boot that switches (absent in journals written before it was kept here). */
  | { step: 'switch'; installBootId?: string }
  | { step: 'await-reboot'; installBootId: string }
  | { step: 'committed'; at: string }
  | { step: 'rolled-back'; at: string; reason: string }
  | { step: 'failed'; at: string; code: string; message: string };

export interface InstallRecord {
  /** The bundle written; '' when nothing is (going back to the other slot: manualRollback.otherSlot). */
  bundle: string;
  version: string;
  fromVersion: string;
  target: BootSlot;
  startedAt: string;
  state: InstallStep;
  /**
   * The services stopped for the slot write (the manifest's and those holding the inactive slot),
   * written before the first stop; `restarted` once they were started again, `problems` naming any
   * that would not start. A cut in between: they start at the next boot, and a resumed write stops
   * them again first.
   */
  services?: { units: string[]; restarted: boolean; problems: string[] };
  /**
   * With a finished step: false when it is written, true once what follows it was done (onFinished:
   * the update history and state, the kept bundle). A cut in between: the next boot does that again
   * (it is idempotent). Absent in journals written before this field: counted as done.
   */
  reported?: boolean;
  /**
   * Going back to a kept older version at the wearer's request (update.rollback with a version):
   * the data that version last ran with comes back at its trial boot, before anything reads it
   * (`dataRestoredAt` is written once it has; a cut before that restores again), and the history
   * says "manual-rollback" when the trial commits (with that committed entry, in one write).
   * `otherSlot`: back to the version the other slot holds (update.rollback without a version):
   * nothing is written, the record starts at "switch", and its commit is the going back alone.
   */
  manualRollback?: { otherSlot?: true; dataRestoredAt?: string };
}

/** Where a power-cut test cuts: before a journal entry is written, or right after it is durable. */
export interface InstallJournalSeams {
  beforeWrite?: (record: InstallRecord) => void | Promise<void>;
  afterWrite?: (record: InstallRecord) => void | Promise<void>;
}

export class InstallJournal {
  constructor(
    private readonly path: string,
    private readonly seams: InstallJournalSeams = {},
  ) {}

  async read(): Promise<InstallRecord | undefined> {
    return readJsonIfExists<InstallRecord>(this.path);
  }

  async write(record: InstallRecord): Promise<void> {
    await this.seams.beforeWrite?.(record);
    await writeFileAtomic(this.path, JSON.stringify(record, null, 2));
    await this.seams.afterWrite?.(record);
  }
}

export function isFinished(step: InstallStep): boolean {
  return step.step === 'committed' || step.step === 'rolled-back' || step.step === 'failed';
}
