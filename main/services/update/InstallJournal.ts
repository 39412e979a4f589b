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
 */
export type InstallStep =
  | { step: 'mark-unbootable' }
  | { step: 'write'; image: number }
  | { step: 'record' }
  | { step: 'switch' }
  | { step: 'await-reboot'; installBootId: string }
  | { step: 'committed'; at: string }
  | { step: 'rolled-back'; at: string; reason: string }
  | { step: 'failed'; at: string; code: string; message: string };

export interface InstallRecord {
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
}

export class InstallJournal {
  constructor(
    private readonly path: string,
    /** Called before each journal write: the seam a power-cut test cuts at. */
    private readonly beforeWrite?: (record: InstallRecord) => void | Promise<void>,
  ) {}

  async read(): Promise<InstallRecord | undefined> {
    return readJsonIfExists<InstallRecord>(this.path);
  }

  async write(record: InstallRecord): Promise<void> {
    await this.beforeWrite?.(record);
    await writeFileAtomic(this.path, JSON.stringify(record, null, 2));
  }
}

export function isFinished(step: InstallStep): boolean {
  return step.step === 'committed' || step.step === 'rolled-back' || step.step === 'failed';
}
