import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ensureDirectory } from '../storage/atomicFile.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { ChunkRecords } from './ChunkRecords.js';
import { ChunkStore, type Chunk } from './ChunkStore.js';
import { EvictionPolicy } from './EvictionPolicy.js';
import { encodeRecord, isExpired, PRIORITIES, type ChunkSignal, type OutboxRecord } from './outboxChunkFormat.js';
import { OutboxCounters } from './OutboxCounters.js';
import { OutboxWriter } from './OutboxWriter.js';
import type { OutboxPayload, OutboxPriority, OutboxStats, TelemetryCategory, TelemetryOutbox } from './ports.js';
import { pseudonymOf } from './recordPseudonym.js';
import { SerialWork } from './SerialWork.js';

export { PRIORITIES, type OutboxRecord } from './outboxChunkFormat.js';

/**
 * The durable outbox between the producers (telemetry, log forwarding, crash records) and the
 * forwarder.
 *
 * On disk: chunk files, one per (priority, category, signal) at a time, of one record per line
 * (outboxChunkFormat.ts), kept by ChunkStore. OutboxWriter writes what producers enqueue, within
 * the bound EvictionPolicy keeps; ChunkRecords reads chunks back and cuts out corrupt lines;
 * OutboxCounters remembers what was delivered and lost. This class composes them.
 *
 * Why chunks and not one segment log with an offset cursor: purging a category (consent
 * withdrawn) and dropping debug first under pressure both delete whole files, with no rewrite of
 * shared segments; and why not one file per record: a 300-byte record would cost a 4 KiB block.
 *
 * The cursor is the set of chunk files: a chunk's file is deleted only after the receiver
 * acknowledged all its records (unlink is atomic; a cut before it resends the chunk, which the
 * receiver de-duplicates by `log.record.uid`: at-least-once). `critical` records are fsynced (file
 * and folder, through storage/fileSync.ts) before enqueue resolves. Critical records the disk has
 * no room for wait in memory, at most `maxHeldCritical` (the oldest go first, counted as dropped).
 *
 * Retention: a record may carry the time it expires (set by the producer from the registry's
 * retention, counted from when it happened). An expired record is never handed to the forwarder,
 * and `purgeExpired` removes expired records from the files (whole chunks where all expired).
 */

const STATS_FILE = 'outbox-stats.json';

/** Chunks handed to the forwarder; acknowledged or released as a whole. */
export interface OutboxBatch {
  signal: ChunkSignal;
  records: OutboxRecord[];
  chunks: readonly string[];
  /** Records of these chunks left out as expired: counted as dropped when the chunks go. */
  expired?: number;
}

export interface OutboxOptions {
  dir: string;
  limitBytes: number;
  /** A chunk is sealed at this size (default: limit/16 within 4 KiB..256 KiB). */
  chunkBytes?: number;
  now?: () => Date;
  log?: SubsystemLogger;
  /** Critical records kept in memory while the disk has no room for them (default 1000). */
  maxHeldCritical?: number;
}

const MAX_HELD_CRITICAL = 1000;

/** What Outbox.open builds; the constructor adds the writer, which reports back to the outbox. */
interface OutboxParts {
  work: SerialWork;
  counters: OutboxCounters;
  store: ChunkStore;
  records: ChunkRecords;
  eviction: EvictionPolicy;
}

export class Outbox implements TelemetryOutbox {
  private delivery: Pick<OutboxStats, 'lastError' | 'waitingFor'> = { lastError: null, waitingFor: null };
  private readonly now: () => Date;
  private readonly listeners = new Set<() => void>();
  /** Set by close(): later records are dropped, so no chunk file is opened that nobody closes. */
  private closed = false;
  private readonly work: SerialWork;
  private readonly counters: OutboxCounters;
  private readonly store: ChunkStore;
  private readonly records: ChunkRecords;
  private readonly writer: OutboxWriter;

  private constructor(
    private readonly options: OutboxOptions,
    parts: OutboxParts,
  ) {
    this.work = parts.work;
    this.counters = parts.counters;
    this.store = parts.store;
    this.records = parts.records;
    this.now = options.now ?? (() => new Date());
    this.writer = new OutboxWriter({
      ...parts,
      limitBytes: options.limitBytes,
      maxHeldCritical: options.maxHeldCritical ?? MAX_HELD_CRITICAL,
      now: this.now,
      log: options.log,
      onError: (error) => (this.delivery.lastError = error),
      onWritten: () => this.changed(),
    });
  }

  /** Opens (or creates) the outbox in `dir`: counts what a previous run left. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    // A new folder's entry is made durable in its parent: critical records rely on it.
    await ensureDirectory(options.dir);
    const work = new SerialWork();
    const counters = await OutboxCounters.load(join(options.dir, STATS_FILE), work, options.log);
    const chunkBytes = options.chunkBytes ?? Math.min(256 * 1024, Math.max(4096, Math.floor(options.limitBytes / 16)));
    const store = await ChunkStore.open(options.dir, chunkBytes);
    const records = new ChunkRecords(store, counters, options.log);
    const eviction = new EvictionPolicy(store, counters, options.limitBytes, options.log);
    return new Outbox(options, { work, counters, store, records, eviction });
  }

  // ---- producers --------------------------------------------------------------------------

  enqueue(category: TelemetryCategory, priority: OutboxPriority, payload: OutboxPayload, options: { expiresAt?: Date } = {}): Promise<void> {
    const line = encodeRecord({ id: randomUUID(), enqueuedAt: this.now().toISOString(), payload, expiresAt: options.expiresAt });
    if (this.closed) {
      // A warning logged during shutdown: counted, not written.
      this.counters.countDropped();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.writer.add({ category, priority, signal: payload.signal, line, resolve }));
  }

  async purgeCategory(category: TelemetryCategory): Promise<number> {
    return this.work.run(async () => {
      let purged = this.writer.purgeCategory(category);
      for (const chunk of this.store.all()) {
        if (chunk.category !== category) continue;
        purged += chunk.records;
        await this.store.remove(chunk);
      }
      await this.store.syncFolder();
      this.changed();
      return purged;
    });
  }

  /**
   * Removes every record past its expiry, on disk and still pending; returns how many (counted as
   * dropped). Chunks in flight are left to the forwarder, which never sends their expired records.
   */
  async purgeExpired(): Promise<number> {
    return this.work.run(async () => {
      await this.writer.writePending();
      const now = this.now().getTime();
      let purged = 0;
      for (const chunk of this.store.all()) {
        if (chunk.inFlight) continue;
        // The append handle would keep writing to the replaced file: sealed first.
        if (chunk.handle) await this.store.seal(chunk);
        purged += await this.records.dropExpired(chunk, now);
      }
      if (purged > 0) {
        this.counters.countDropped(purged);
        await this.store.syncFolder();
        await this.counters.save();
        this.changed();
      }
      return purged;
    });
  }

  /** The pseudonyms queued records carry (whose weeks' signing keys are still needed). */
  async queuedPseudonyms(): Promise<Set<string>> {
    return this.work.run(async () => {
      await this.writer.writePending();
      const found = new Set<string>();
      for (const chunk of this.store.all()) {
        if (chunk.handle) await this.store.seal(chunk);
        for (const record of await this.records.read(chunk)) {
          const pseudonym = pseudonymOf(record.payload);
          if (pseudonym) found.add(pseudonym);
        }
      }
      return found;
    });
  }

  stats(): OutboxStats {
    const queued: Record<OutboxPriority, number> = { critical: 0, normal: 0, bulk: 0, debug: 0 };
    let queuedBytes = 0;
    for (const chunk of this.store.all()) {
      queued[chunk.priority] += chunk.records;
      queuedBytes += chunk.bytes;
    }
    for (const priority of this.writer.waitingPriorities()) queued[priority]++;
    const counters = this.counters.current;
    return {
      queued,
      queuedBytes,
      limitBytes: this.options.limitBytes,
      dropped: counters.dropped + counters.rejected,
      corruptSkipped: counters.corruptSkipped,
      delivered: counters.delivered,
      lastDeliveryAt: counters.lastDeliveryAt,
      lastError: this.delivery.lastError,
      waitingFor: this.delivery.waitingFor,
    };
  }

  /** Called when something is queued or removed (the forwarder wakes up on it). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The forwarder reports why it waits and its last failure; shown in stats(). */
  setDeliveryState(state: Partial<Pick<OutboxStats, 'lastError' | 'waitingFor'>>): void {
    this.delivery = { ...this.delivery, ...state };
  }

  /** Resolves once everything enqueued so far is written (fsynced if critical). */
  async flush(): Promise<void> {
    await this.work.run(() => this.writer.writePending());
  }

  async close(): Promise<void> {
    this.closed = true;
    this.counters.cancelSaveSoon();
    await this.work.run(async () => {
      await this.writer.writePending();
      await this.store.sealAll();
      this.counters.countDropped(this.writer.dropHeld());
      await this.counters.save(); // after the last write: its drops are counted too
    });
  }

  // ---- the forwarder ------------------------------------------------------------------------

  /**
   * The next chunks to send, as records: critical first, then normal, bulk (only if allowed),
   * debug; oldest first; one signal per batch; at least one chunk, then more while they fit.
   */
  async takeBatch(options: { allowBulk: boolean; maxBytes: number; maxRecords: number }): Promise<OutboxBatch | undefined> {
    return this.work.run(async () => {
      await this.writer.writePending();
      const rank = (priority: OutboxPriority) => PRIORITIES.indexOf(priority);
      const candidates = this.store
        .all()
        .filter((chunk) => !chunk.inFlight && (options.allowBulk || chunk.priority !== 'bulk'))
        .sort((a, b) => rank(a.priority) - rank(b.priority) || a.seq - b.seq);
      const first = candidates[0];
      if (!first) return undefined;
      const chosen: Chunk[] = [];
      let bytes = 0;
      let records = 0;
      for (const chunk of candidates) {
        if (chunk.signal !== first.signal) continue;
        if (chosen.length > 0 && (bytes + chunk.bytes > options.maxBytes || records + chunk.records > options.maxRecords)) break;
        chosen.push(chunk);
        bytes += chunk.bytes;
        records += chunk.records;
      }
      const batch: OutboxBatch = { signal: first.signal, records: [], chunks: chosen.map((chunk) => chunk.name), expired: 0 };
      const now = this.now().getTime();
      for (const chunk of chosen) {
        if (chunk.handle) await this.store.seal(chunk);
        chunk.inFlight = true;
        // Expired records are not sent; the chunk goes with the batch's acknowledgement.
        const records = await this.records.read(chunk);
        const live = records.filter((record) => !isExpired(record, now));
        batch.expired! += records.length - live.length;
        batch.records.push(...live);
      }
      return batch;
    });
  }

  /** The receiver took (or refused for good) every record of the batch: its chunks go. */
  async acknowledge(batch: OutboxBatch, outcome: { delivered: number; rejected: number }): Promise<void> {
    await this.work.run(async () => {
      // Counted first: stats() never shows the records gone from the queue but not yet delivered.
      this.counters.countDelivery(outcome, this.now().toISOString());
      this.counters.countDropped(batch.expired ?? 0);
      // No folder fsync: an unlink lost to a power cut only means the chunk is sent again.
      for (const name of batch.chunks) {
        const chunk = this.store.get(name);
        if (chunk) await this.store.remove(chunk);
        else await this.store.removeFile(name); // purged meanwhile
      }
      this.counters.saveSoon();
      this.changed();
    });
  }

  /** A batch kept for a retry, without what was purged meanwhile (consent withdrawn). */
  stillQueued(batch: OutboxBatch): OutboxBatch {
    const chunks = batch.chunks.filter((name) => this.store.has(name));
    const now = this.now().getTime();
    const live = (record: OutboxRecord) => this.store.has(record.chunk) && !isExpired(record, now);
    if (chunks.length === batch.chunks.length && batch.records.every(live)) return batch;
    const records = batch.records.filter(live);
    const newlyExpired = batch.records.filter((record) => this.store.has(record.chunk) && isExpired(record, now)).length;
    return { signal: batch.signal, chunks, records, expired: (batch.expired ?? 0) + newlyExpired };
  }

  /** The send failed: the chunks stay queued for the next attempt. */
  release(batch: OutboxBatch): void {
    for (const name of batch.chunks) {
      const chunk = this.store.get(name);
      if (chunk) chunk.inFlight = false;
    }
  }

  hasSendable(allowBulk: boolean): boolean {
    for (const chunk of this.store.all()) if (!chunk.inFlight && (allowBulk || chunk.priority !== 'bulk')) return true;
    return this.writer.hasPending();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
