import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { SerialWork } from './SerialWork.js';

export interface PersistedCounters {
  dropped: number;
  corruptSkipped: number;
  delivered: number;
  rejected: number;
  lastDeliveryAt: string | null;
}

/**
 * What the outbox has lost and delivered, kept across restarts in one JSON file. The counters are
 * informational: an unreadable file starts them at zero, and they are saved at most once a second
 * (and on close), not after every change.
 */
export class OutboxCounters {
  private values: PersistedCounters = { dropped: 0, corruptSkipped: 0, delivered: 0, rejected: 0, lastDeliveryAt: null };
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly file: string,
    private readonly work: SerialWork,
    private readonly log?: SubsystemLogger,
  ) {}

  /** The counters a previous run saved in `file`; saves go through `work`, after the outbox's writes. */
  static async load(file: string, work: SerialWork, log?: SubsystemLogger): Promise<OutboxCounters> {
    const counters = new OutboxCounters(file, work, log);
    const saved = await readJsonIfExists<PersistedCounters>(file).catch(() => undefined);
    if (saved) counters.values = { ...counters.values, ...saved };
    return counters;
  }

  get current(): Readonly<PersistedCounters> {
    return this.values;
  }

  /** Records lost: evicted, expired, or with no room. */
  countDropped(records = 1): void {
    this.values.dropped += records;
  }

  countCorrupt(records: number): void {
    this.values.corruptSkipped += records;
  }

  countDelivery(outcome: { delivered: number; rejected: number }, at: string): void {
    this.values.delivered += outcome.delivered;
    this.values.rejected += outcome.rejected;
    if (outcome.delivered > 0) this.values.lastDeliveryAt = at;
  }

  async save(): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(this.values)).catch((error: unknown) =>
      this.log?.warn(`outbox: counters not saved: ${String(error)}`),
    );
  }

  /** Saves within a second, once for every change made meanwhile. */
  saveSoon(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.work.run(() => this.save());
    }, 1000);
    this.saveTimer.unref?.();
  }

  /** Closing: the final save is the caller's, after its last write. */
  cancelSaveSoon(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
  }
}
