import type { SubsystemLogger } from '../logging/Logger.js';
import type { Chunk, ChunkStore } from './ChunkStore.js';
import type { EvictionPolicy } from './EvictionPolicy.js';
import type { ChunkSignal } from './outboxChunkFormat.js';
import type { OutboxCounters } from './OutboxCounters.js';
import type { OutboxPriority, OutboxStats, TelemetryCategory } from './ports.js';
import type { SerialWork } from './SerialWork.js';

/** A record encoded and waiting to be written; resolved once written, held, or dropped. */
export interface PendingRecord {
  category: TelemetryCategory;
  priority: OutboxPriority;
  signal: ChunkSignal;
  line: string;
  resolve: () => void;
}

export interface OutboxWriterOptions {
  store: ChunkStore;
  eviction: EvictionPolicy;
  counters: OutboxCounters;
  work: SerialWork;
  limitBytes: number;
  /** Critical records kept in memory while the disk has no room for them. */
  maxHeldCritical: number;
  now: () => Date;
  log?: SubsystemLogger;
  /** A write or fsync failed, or critical records wait in memory: shown as the outbox's last error. */
  onError: (error: NonNullable<OutboxStats['lastError']>) => void;
  /** A write pass ended (something may have been queued). */
  onWritten: () => void;
}

/**
 * Records on their way to the chunk files: queued in memory for the rest of the tick, then written
 * in one pass within the bound, critical ones fsynced together before their producers resume.
 * Critical records the disk has no room for wait in memory, the oldest going beyond the cap.
 */
export class OutboxWriter {
  private pending: PendingRecord[] = [];
  /** Critical records the disk had no room for: kept here and written as soon as it has. */
  private heldCritical: PendingRecord[] = [];
  private flushScheduled = false;

  constructor(private readonly options: OutboxWriterOptions) {}

  add(item: PendingRecord): void {
    this.pending.push(item);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // One write pass for everything enqueued in this tick: critical records share one fsync.
    queueMicrotask(() => {
      this.flushScheduled = false;
      void this.options.work
        .run(() => this.writePending())
        .catch((error: unknown) => this.options.log?.warn(`outbox write failed: ${String(error)}`));
    });
  }

  /** Records not yet written, held ones included. */
  waitingPriorities(): OutboxPriority[] {
    return [...this.pending, ...this.heldCritical].map((item) => item.priority);
  }

  /** Records queued for the next write pass (held ones wait for room, not for a pass). */
  hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Forgets the waiting records of a category (consent withdrawn); returns how many. */
  purgeCategory(category: TelemetryCategory): number {
    let purged = 0;
    const keep = (list: PendingRecord[]) =>
      list.filter((item) => {
        if (item.category !== category) return true;
        purged++;
        item.resolve();
        return false;
      });
    this.pending = keep(this.pending);
    this.heldCritical = keep(this.heldCritical);
    return purged;
  }

  /** Closing with still no room: what memory held goes with the process; returns how many. */
  dropHeld(): number {
    const dropped = this.heldCritical.length;
    this.heldCritical = [];
    return dropped;
  }

  /** Writes everything waiting (held records first); run within the outbox's serial work. */
  async writePending(): Promise<void> {
    const { store, eviction, counters, limitBytes, now } = this.options;
    const batch = [...this.heldCritical, ...this.pending];
    this.heldCritical = [];
    this.pending = [];
    if (batch.length === 0) return;
    const toSync = new Set<Chunk>();
    let newFile = false;
    for (const item of batch) {
      const size = Buffer.byteLength(item.line);
      const tooLarge = size > limitBytes; // would empty the outbox and still not fit
      const fits = !tooLarge && (await eviction.makeRoom(item.priority, size));
      if (!fits && (tooLarge || item.priority !== 'critical')) {
        counters.countDropped();
        item.resolve();
        continue;
      }
      // A critical record with no room (what would make it is in flight) waits in memory.
      const written = fits ? await this.append(item, size) : 'held';
      if (written === 'held') {
        this.hold(item);
        continue;
      }
      if (written === 'dropped') {
        counters.countDropped();
        item.resolve();
        continue;
      }
      if (written.created) newFile = true;
      if (item.priority === 'critical') toSync.add(written.chunk);
    }
    try {
      for (const chunk of toSync) await store.syncOpen(chunk);
      if (toSync.size > 0 && newFile) await store.syncFolder();
    } catch (error) {
      this.options.onError({ code: 'OUTBOX_WRITE_FAILED', message: `fsync: ${String(error)}`, at: now().toISOString() });
    }
    // Held critical records resolve too: the producer (a crash handler, say) must not hang on a
    // full disk; they stay counted in stats() and are written as soon as there is room.
    for (const item of batch) item.resolve();
    if (this.heldCritical.length > 0)
      this.options.onError({
        code: 'OUTBOX_DISK_FULL',
        message: `${this.heldCritical.length} critical records held in memory: no room on disk or within the bound`,
        at: now().toISOString(),
      });
    this.options.onWritten();
  }

  /** Keeps a critical record in memory until there is room; the oldest go beyond the cap. */
  private hold(item: PendingRecord): void {
    this.heldCritical.push(item);
    const excess = this.heldCritical.length - this.options.maxHeldCritical;
    if (excess <= 0) return;
    for (const dropped of this.heldCritical.splice(0, excess)) dropped.resolve();
    this.options.counters.countDropped(excess);
    this.options.log?.warn(`outbox: ${excess} critical records dropped: too many held in memory`);
  }

  /** Writes one record; a full disk evicts lower priorities and retries, a few times. */
  private async append(item: PendingRecord, size: number): Promise<{ chunk: Chunk; created: boolean } | 'held' | 'dropped'> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.options.store.append(item, item.line, size, { syncBeforeSeal: item.priority === 'critical' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const full = code === 'ENOSPC' || code === 'EDQUOT';
        this.options.onError({
          code: full ? 'OUTBOX_DISK_FULL' : 'OUTBOX_WRITE_FAILED',
          message: String(error),
          at: this.options.now().toISOString(),
        });
        if (full && attempt < 8 && (await this.options.eviction.evictOne(item.priority, { critical: false }))) continue;
        this.options.log?.warn(`outbox: ${String(error)}: ${item.priority} record ${item.priority === 'critical' ? 'held in memory' : 'dropped'}`);
        return item.priority === 'critical' ? 'held' : 'dropped';
      }
    }
  }
}
