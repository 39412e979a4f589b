import { LineRuns } from './LineRuns.js';
import type { SettleReport } from './Logger.js';

/**
 * What became of each line appended, by sequence number: so `settle` can wait for exactly the
 * lines appended before it (written, or synced too) however many arrive behind them, and say
 * which were dropped or could not be synced.
 */
export class LineLedger {
  /** The sequence number of the last line appended (dropped ones count). */
  appended = 0;
  /** Every line up to this one reached the kernel or was dropped. */
  resolved = 0;
  /** Every line up to this one was synced, or reported as not synced, or dropped. */
  synced = 0;
  /** Lines that never reached the disk (buffer full, disk full, file not writable). */
  dropped = 0;
  private readonly droppedLines = new LineRuns();
  private readonly unsyncedLines = new LineRuns();
  private waiters: { target: number; resolve: () => void }[] = [];

  /** Numbers a line being appended. */
  next(): number {
    return ++this.appended;
  }

  dropOne(seq: number): void {
    this.dropped++;
    this.droppedLines.add(seq, seq);
  }

  drop(seqs: readonly number[]): void {
    this.dropped += seqs.length;
    // Runs of consecutive numbers at a time: a chunk is mostly one run.
    let start = 0;
    for (let i = 1; i <= seqs.length; i++) {
      if (i < seqs.length && seqs[i] === seqs[i - 1]! + 1) continue;
      this.droppedLines.add(seqs[start]!, seqs[i - 1]!);
      start = i;
    }
  }

  /** Moves `resolved` to just before `oldestOnItsWay` (the oldest line not yet written), and wakes who waited for it. */
  resolveBefore(oldestOnItsWay: number | undefined): void {
    this.resolved = oldestOnItsWay === undefined ? this.appended : oldestOnItsWay - 1;
    let woken = 0;
    while (woken < this.waiters.length && this.waiters[woken]!.target <= this.resolved) this.waiters[woken++]!.resolve();
    if (woken > 0) this.waiters.splice(0, woken);
  }

  /** Resolves once every line up to `target` is resolved. */
  whenResolved(target: number): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
  }

  /** A sync pass over the lines after `from` up to `through` ended; if it failed, those it wrote are unsynced. */
  recordSyncPass(from: number, through: number, synced: boolean): void {
    if (!synced) for (const gap of this.droppedLines.gaps(from, through)) this.unsyncedLines.add(gap.from, gap.to);
    this.synced = Math.max(this.synced, through);
  }

  /** Of the lines after `after` up to `target`: how many were dropped, and (with `sync`) how many were not synced. */
  report(after: number, target: number, sync: boolean | undefined): SettleReport {
    return { dropped: this.droppedLines.count(after, target), unsynced: sync ? this.unsyncedLines.count(after, target) : 0 };
  }
}
