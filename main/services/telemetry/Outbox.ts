import { randomUUID } from 'node:crypto';
import { open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { ensureDirectory, fsyncDirectory, readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import { fileSync } from '../storage/fileSync.js';
import type { OutboxPayload, OutboxPriority, OutboxStats, TelemetryCategory, TelemetryOutbox } from './ports.js';
import type { SubsystemLogger } from '../logging/Logger.js';

/**
 * The durable outbox between the producers (telemetry, log forwarding, crash records) and the
 * forwarder.
 *
 * On disk: chunk files, one per (priority, category, signal) at a time, named
 * `<seq>.<priority>.<category>.<signal>.chunk` (seq orders them by age). A chunk is append-only
 * while open; the forwarder seals it when it takes it. Each record is one line
 * `<crc32 hex> <json {id, t, p}>\n`: a flipped byte fails the checksum and only that line is lost
 * (the next newline resynchronises); a torn tail after a power cut is the same case.
 *
 * Why chunks and not one segment log with an offset cursor: purging a category (consent
 * withdrawn) and dropping debug first under pressure both delete whole files, with no rewrite of
 * shared segments; and why not one file per record: a 300-byte record would cost a 4 KiB block.
 *
 * The cursor is the set of chunk files: a chunk's file is deleted only after the receiver
 * acknowledged all its records (unlink is atomic; a cut before it resends the chunk, which the
 * receiver de-duplicates by `log.record.uid`: at-least-once). `critical` records are fsynced (file
 * and folder, through storage/fileSync.ts) before enqueue resolves. When full, whole chunks go:
 * debug first, then bulk, then normal, oldest first, and only then the oldest critical chunk: the
 * bound is hard, so a crash loop while offline cannot fill the disk. Critical records the disk has
 * no room for wait in memory, at most `maxHeldCritical` (the oldest go first, counted as dropped).
 *
 * Retention: a record may carry the time it expires (set by the producer from the registry's
 * retention, counted from when it happened). An expired record is never handed to the forwarder,
 * and `purgeExpired` removes expired records from the files (whole chunks where all expired).
 */

export const PRIORITIES: readonly OutboxPriority[] = ['critical', 'normal', 'bulk', 'debug'];
/** Eviction order under pressure. */
const EVICTION_ORDER: readonly OutboxPriority[] = ['debug', 'bulk', 'normal'];
/** What a critical record may push out: everything else first, then the oldest critical chunk. */
const PRIORITIES_BY_EVICTION: readonly OutboxPriority[] = [...EVICTION_ORDER, 'critical'];
const CATEGORIES: readonly TelemetryCategory[] = ['essential', 'performance', 'hardware', 'usage', 'errors', 'location'];
const CHUNK_NAME = /^(\d{12})\.(critical|normal|bulk|debug)\.([a-z]+)\.(logs|metrics)\.chunk$/;
const STATS_FILE = 'outbox-stats.json';

export interface OutboxRecord {
  id: string;
  category: TelemetryCategory;
  priority: OutboxPriority;
  /** Wall-clock time of enqueue (informational only: order comes from the chunk sequence). */
  enqueuedAt: string;
  /** Past this time the record is never sent (absent: kept until sent). */
  expiresAt?: string;
  payload: OutboxPayload;
  /** The chunk file holding it. */
  chunk: string;
}

interface Chunk {
  seq: number;
  name: string;
  priority: OutboxPriority;
  category: TelemetryCategory;
  signal: 'logs' | 'metrics';
  records: number;
  bytes: number;
  /** Open for appends (at most one per key). */
  handle?: FileHandle;
  inFlight: boolean;
}

/** Chunks handed to the forwarder; acknowledged or released as a whole. */
export interface OutboxBatch {
  signal: 'logs' | 'metrics';
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

interface Pending {
  category: TelemetryCategory;
  priority: OutboxPriority;
  signal: 'logs' | 'metrics';
  line: string;
  resolve: () => void;
}

interface PersistedCounters {
  dropped: number;
  corruptSkipped: number;
  delivered: number;
  rejected: number;
  lastDeliveryAt: string | null;
}

export class Outbox implements TelemetryOutbox {
  private readonly chunks = new Map<string, Chunk>();
  private readonly active = new Map<string, Chunk>();
  private pending: Pending[] = [];
  /** Critical records the disk had no room for: kept here and written as soon as it has. */
  private heldCritical: Pending[] = [];
  private nextSeq = 1;
  private work: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private countersTimer: ReturnType<typeof setTimeout> | undefined;
  private counters: PersistedCounters = { dropped: 0, corruptSkipped: 0, delivered: 0, rejected: 0, lastDeliveryAt: null };
  private delivery: Pick<OutboxStats, 'lastError' | 'waitingFor'> = { lastError: null, waitingFor: null };
  private readonly chunkBytes: number;
  private readonly now: () => Date;
  private readonly listeners = new Set<() => void>();
  /** Set by close(): later records are dropped, so no chunk file is opened that nobody closes. */
  private closed = false;

  private constructor(private readonly options: OutboxOptions) {
    this.chunkBytes = options.chunkBytes ?? Math.min(256 * 1024, Math.max(4096, Math.floor(options.limitBytes / 16)));
    this.now = options.now ?? (() => new Date());
  }

  /** Opens (or creates) the outbox in `dir`: counts what a previous run left. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const outbox = new Outbox(options);
    await outbox.load();
    return outbox;
  }

  private async load(): Promise<void> {
    // A new folder's entry is made durable in its parent: critical records rely on it.
    await ensureDirectory(this.options.dir);
    const saved = await readJsonIfExists<PersistedCounters>(join(this.options.dir, STATS_FILE)).catch(() => undefined);
    if (saved) this.counters = { ...this.counters, ...saved };
    for (const name of await readdir(this.options.dir)) {
      if (name.endsWith('.tmp')) {
        await unlink(join(this.options.dir, name)).catch(() => undefined);
        continue;
      }
      const match = CHUNK_NAME.exec(name);
      if (!match || !CATEGORIES.includes(match[3] as TelemetryCategory)) continue;
      const content = await readFile(join(this.options.dir, name)).catch(() => Buffer.alloc(0));
      let records = 0;
      for (const byte of content) if (byte === 0x0a) records++;
      const seq = Number(match[1]);
      this.chunks.set(name, {
        seq,
        name,
        priority: match[2] as OutboxPriority,
        category: match[3] as TelemetryCategory,
        signal: match[4] as 'logs' | 'metrics',
        records,
        bytes: content.length,
        inFlight: false,
      });
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
    }
  }

  // ---- producers --------------------------------------------------------------------------

  enqueue(category: TelemetryCategory, priority: OutboxPriority, payload: OutboxPayload, options: { expiresAt?: Date } = {}): Promise<void> {
    const body = JSON.stringify({
      id: randomUUID(),
      t: this.now().toISOString(),
      p: payload,
      ...(options.expiresAt ? { x: options.expiresAt.toISOString() } : {}),
    });
    const line = `${crc32(body).toString(16).padStart(8, '0')} ${body}\n`;
    if (this.closed) {
      // A warning logged during shutdown: counted, not written.
      this.counters.dropped++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.pending.push({ category, priority, signal: payload.signal, line, resolve });
      this.scheduleFlush();
    });
  }

  async purgeCategory(category: TelemetryCategory): Promise<number> {
    return this.serial(async () => {
      let purged = 0;
      const keep = (list: Pending[]) =>
        list.filter((item) => {
          if (item.category !== category) return true;
          purged++;
          item.resolve();
          return false;
        });
      this.pending = keep(this.pending);
      this.heldCritical = keep(this.heldCritical);
      for (const chunk of [...this.chunks.values()]) {
        if (chunk.category !== category) continue;
        purged += chunk.records;
        await this.removeChunk(chunk);
      }
      await fsyncDirectory(this.options.dir);
      this.changed();
      return purged;
    });
  }

  /**
   * Removes every record past its expiry, on disk and still pending; returns how many (counted as
   * dropped). Chunks in flight are left to the forwarder, which never sends their expired records.
   */
  async purgeExpired(): Promise<number> {
    return this.serial(async () => {
      await this.writePending();
      const now = this.now().getTime();
      let purged = 0;
      for (const chunk of [...this.chunks.values()]) {
        if (chunk.inFlight) continue;
        // The append handle would keep writing to the replaced file: sealed first.
        if (chunk.handle) await this.seal(chunk);
        purged += await this.dropExpired(chunk, now);
      }
      if (purged > 0) {
        this.counters.dropped += purged;
        await fsyncDirectory(this.options.dir);
        await this.saveCounters();
        this.changed();
      }
      return purged;
    });
  }

  stats(): OutboxStats {
    const queued: Record<OutboxPriority, number> = { critical: 0, normal: 0, bulk: 0, debug: 0 };
    let queuedBytes = 0;
    for (const chunk of this.chunks.values()) {
      queued[chunk.priority] += chunk.records;
      queuedBytes += chunk.bytes;
    }
    for (const item of [...this.pending, ...this.heldCritical]) queued[item.priority]++;
    return {
      queued,
      queuedBytes,
      limitBytes: this.options.limitBytes,
      dropped: this.counters.dropped + this.counters.rejected,
      corruptSkipped: this.counters.corruptSkipped,
      delivered: this.counters.delivered,
      lastDeliveryAt: this.counters.lastDeliveryAt,
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
    await this.serial(() => this.writePending());
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.countersTimer) clearTimeout(this.countersTimer);
    this.countersTimer = undefined;
    await this.serial(async () => {
      await this.writePending();
      for (const chunk of this.active.values()) await this.seal(chunk);
      // Still no room: what memory held goes with the process.
      this.counters.dropped += this.heldCritical.length;
      this.heldCritical = [];
      await this.saveCounters(); // after the last write: its drops are counted too
    });
  }

  // ---- the forwarder ------------------------------------------------------------------------

  /**
   * The next chunks to send, as records: critical first, then normal, bulk (only if allowed),
   * debug; oldest first; one signal per batch; at least one chunk, then more while they fit.
   */
  async takeBatch(options: { allowBulk: boolean; maxBytes: number; maxRecords: number }): Promise<OutboxBatch | undefined> {
    return this.serial(async () => {
      await this.writePending();
      const rank = (priority: OutboxPriority) => PRIORITIES.indexOf(priority);
      const candidates = [...this.chunks.values()]
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
        if (chunk.handle) await this.seal(chunk);
        chunk.inFlight = true;
        // Expired records are not sent; the chunk goes with the batch's acknowledgement.
        const records = await this.readChunk(chunk);
        const live = records.filter((record) => !isExpired(record, now));
        batch.expired! += records.length - live.length;
        batch.records.push(...live);
      }
      return batch;
    });
  }

  /** The receiver took (or refused for good) every record of the batch: its chunks go. */
  async acknowledge(batch: OutboxBatch, outcome: { delivered: number; rejected: number }): Promise<void> {
    await this.serial(async () => {
      // Counted first: stats() never shows the records gone from the queue but not yet delivered.
      this.counters.delivered += outcome.delivered;
      this.counters.rejected += outcome.rejected;
      this.counters.dropped += batch.expired ?? 0;
      if (outcome.delivered > 0) this.counters.lastDeliveryAt = this.now().toISOString();
      // No folder fsync: an unlink lost to a power cut only means the chunk is sent again.
      for (const name of batch.chunks) {
        const chunk = this.chunks.get(name);
        if (chunk) await this.removeChunk(chunk);
        else await unlink(join(this.options.dir, name)).catch(() => undefined); // purged meanwhile
      }
      this.saveCountersSoon();
      this.changed();
    });
  }

  /** A batch kept for a retry, without what was purged meanwhile (consent withdrawn). */
  stillQueued(batch: OutboxBatch): OutboxBatch {
    const chunks = batch.chunks.filter((name) => this.chunks.has(name));
    const now = this.now().getTime();
    const live = (record: OutboxRecord) => this.chunks.has(record.chunk) && !isExpired(record, now);
    if (chunks.length === batch.chunks.length && batch.records.every(live)) return batch;
    const records = batch.records.filter(live);
    const newlyExpired = batch.records.filter((record) => this.chunks.has(record.chunk) && isExpired(record, now)).length;
    return { signal: batch.signal, chunks, records, expired: (batch.expired ?? 0) + newlyExpired };
  }

  /** The send failed: the chunks stay queued for the next attempt. */
  release(batch: OutboxBatch): void {
    for (const name of batch.chunks) {
      const chunk = this.chunks.get(name);
      if (chunk) chunk.inFlight = false;
    }
  }

  hasSendable(allowBulk: boolean): boolean {
    for (const chunk of this.chunks.values()) if (!chunk.inFlight && (allowBulk || chunk.priority !== 'bulk')) return true;
    return this.pending.length > 0;
  }

  // ---- internals ----------------------------------------------------------------------------

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.work.then(task);
    this.work = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // One write pass for everything enqueued in this tick: critical records share one fsync.
    queueMicrotask(() => {
      this.flushScheduled = false;
      void this.serial(() => this.writePending()).catch((error: unknown) => this.options.log?.warn(`outbox write failed: ${String(error)}`));
    });
  }

  private async writePending(): Promise<void> {
    const batch = [...this.heldCritical, ...this.pending];
    this.heldCritical = [];
    this.pending = [];
    if (batch.length === 0) return;
    const toSync = new Set<Chunk>();
    let newFile = false;
    for (const item of batch) {
      const size = Buffer.byteLength(item.line);
      const tooLarge = size > this.options.limitBytes; // would empty the outbox and still not fit
      const fits = !tooLarge && (await this.makeRoom(item.priority, size));
      if (!fits && (tooLarge || item.priority !== 'critical')) {
        this.counters.dropped++;
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
        this.counters.dropped++;
        item.resolve();
        continue;
      }
      if (written.created) newFile = true;
      if (item.priority === 'critical') toSync.add(written.chunk);
    }
    try {
      for (const chunk of toSync) if (chunk.handle) await this.syncChunk(chunk, chunk.handle);
      if (toSync.size > 0 && newFile) await fsyncDirectory(this.options.dir);
    } catch (error) {
      this.delivery.lastError = { code: 'OUTBOX_WRITE_FAILED', message: `fsync: ${String(error)}`, at: this.now().toISOString() };
    }
    // Held critical records resolve too: the producer (a crash handler, say) must not hang on a
    // full disk; they stay counted in stats() and are written as soon as there is room.
    for (const item of batch) item.resolve();
    if (this.heldCritical.length > 0)
      this.delivery.lastError = {
        code: 'OUTBOX_DISK_FULL',
        message: `${this.heldCritical.length} critical records held in memory: no room on disk or within the bound`,
        at: this.now().toISOString(),
      };
    this.changed();
  }

  /** Keeps a critical record in memory until there is room; the oldest go beyond the cap. */
  private hold(item: Pending): void {
    this.heldCritical.push(item);
    const excess = this.heldCritical.length - (this.options.maxHeldCritical ?? MAX_HELD_CRITICAL);
    if (excess <= 0) return;
    for (const dropped of this.heldCritical.splice(0, excess)) dropped.resolve();
    this.counters.dropped += excess;
    this.options.log?.warn(`outbox: ${excess} critical records dropped: too many held in memory`);
  }

  private async syncChunk(chunk: Chunk, handle: FileHandle): Promise<void> {
    await fileSync().syncFile(handle, join(this.options.dir, chunk.name), { dataOnly: true });
  }

  /**
   * Evicts chunks until `size` more bytes fit. False when they do not: the record is dropped, or
   * held if critical (what would make room is in flight). A critical record pushes out the oldest
   * critical chunk last: the bound holds for them too.
   */
  private async makeRoom(priority: OutboxPriority, size: number): Promise<boolean> {
    while (this.totalBytes() + size > this.options.limitBytes) {
      if (!(await this.evictOne(priority, { critical: true }))) return false;
    }
    return true;
  }

  /**
   * Removes the oldest chunk a `forPriority` record may push out; `critical: true` lets a critical
   * record push out critical chunks (the bound), not a full disk (held records wait for deliveries).
   */
  private async evictOne(forPriority: OutboxPriority, options: { critical: boolean }): Promise<boolean> {
    const allowed =
      forPriority !== 'critical'
        ? EVICTION_ORDER.slice(0, EVICTION_ORDER.indexOf(forPriority) + 1)
        : options.critical
          ? PRIORITIES_BY_EVICTION
          : EVICTION_ORDER;
    for (const priority of allowed) {
      const victim = [...this.chunks.values()].filter((chunk) => chunk.priority === priority && !chunk.inFlight).sort((a, b) => a.seq - b.seq)[0];
      if (victim) {
        this.counters.dropped += victim.records;
        this.options.log?.warn(`outbox full: dropped ${victim.records} ${priority} records`);
        await this.removeChunk(victim);
        return true;
      }
    }
    return false;
  }

  private totalBytes(): number {
    let total = 0;
    for (const chunk of this.chunks.values()) total += chunk.bytes;
    return total;
  }

  private async append(item: Pending, size: number): Promise<{ chunk: Chunk; created: boolean } | 'held' | 'dropped'> {
    for (let attempt = 0; ; attempt++) {
      let created = false;
      let chunk: Chunk | undefined;
      try {
        ({ chunk, created } = await this.activeChunk(item));
        const { bytesWritten } = await chunk.handle!.write(item.line);
        // write(2) on a nearly full disk writes what fits and reports no error.
        if (bytesWritten !== size) throw Object.assign(new Error(`short write (${bytesWritten} of ${size} bytes)`), { code: 'ENOSPC' });
        chunk.bytes += size;
        chunk.records++;
        if (chunk.bytes >= this.chunkBytes) {
          if (item.priority === 'critical') await this.syncChunk(chunk, chunk.handle!);
          await this.seal(chunk);
        }
        return { chunk, created };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const full = code === 'ENOSPC' || code === 'EDQUOT';
        // A short write leaves a torn line: cut the file back so the next record starts clean.
        if (chunk?.handle) await chunk.handle.truncate(chunk.bytes).catch(() => undefined);
        if (chunk && chunk.records === 0) await this.removeChunk(chunk);
        this.delivery.lastError = { code: full ? 'OUTBOX_DISK_FULL' : 'OUTBOX_WRITE_FAILED', message: String(error), at: this.now().toISOString() };
        if (full && attempt < 8 && (await this.evictOne(item.priority, { critical: false }))) continue;
        this.options.log?.warn(`outbox: ${String(error)}: ${item.priority} record ${item.priority === 'critical' ? 'held in memory' : 'dropped'}`);
        return item.priority === 'critical' ? 'held' : 'dropped';
      }
    }
  }

  private async activeChunk(item: Pending): Promise<{ chunk: Chunk; created: boolean }> {
    const key = `${item.priority}.${item.category}.${item.signal}`;
    const existing = this.active.get(key);
    if (existing) return { chunk: existing, created: false };
    const seq = this.nextSeq++;
    const name = `${String(seq).padStart(12, '0')}.${key}.chunk`;
    const handle = await open(join(this.options.dir, name), 'a', 0o600);
    const chunk: Chunk = {
      seq,
      name,
      priority: item.priority,
      category: item.category,
      signal: item.signal,
      records: 0,
      bytes: 0,
      handle,
      inFlight: false,
    };
    this.chunks.set(name, chunk);
    this.active.set(key, chunk);
    return { chunk, created: true };
  }

  private async seal(chunk: Chunk): Promise<void> {
    const handle = chunk.handle;
    if (!handle) return;
    chunk.handle = undefined;
    this.active.delete(`${chunk.priority}.${chunk.category}.${chunk.signal}`);
    await handle.close().catch(() => undefined);
  }

  private async removeChunk(chunk: Chunk): Promise<void> {
    this.chunks.delete(chunk.name);
    await this.seal(chunk);
    await unlink(join(this.options.dir, chunk.name)).catch(() => undefined);
  }

  /** A chunk's valid records; corrupt lines are counted once and removed from the file. */
  private async readChunk(chunk: Chunk): Promise<OutboxRecord[]> {
    const path = join(this.options.dir, chunk.name);
    let content: Buffer;
    try {
      content = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.counters.corruptSkipped += chunk.records;
      this.options.log?.warn(`outbox: unreadable chunk ${chunk.name} skipped: ${String(error)}`);
      return [];
    }
    const records: OutboxRecord[] = [];
    const good: string[] = [];
    let corrupt = 0;
    const text = content.toString('utf8');
    const lines = text.split('\n');
    const tail = lines.pop(); // after the last newline: empty, or a torn write
    if (tail) corrupt++;
    for (const line of lines) {
      const record = parseLine(line, chunk);
      if (record) {
        records.push(record);
        good.push(line);
      } else corrupt++;
    }
    if (corrupt > 0) {
      this.counters.corruptSkipped += corrupt;
      this.options.log?.warn(`outbox: ${corrupt} corrupt records skipped in ${chunk.name}`);
      const kept = good.map((line) => `${line}\n`).join('');
      await writeFileAtomic(path, kept, { mode: 0o600 });
      chunk.bytes = Buffer.byteLength(kept);
      await this.saveCounters();
    }
    chunk.records = records.length;
    return records;
  }

  /** Drops a sealed chunk's expired records: the file is rewritten, or removed if none is left. */
  private async dropExpired(chunk: Chunk, now: number): Promise<number> {
    const path = join(this.options.dir, chunk.name);
    const content = await readFile(path, 'utf8').catch(() => undefined);
    if (content === undefined) return 0;
    const lines = content.split('\n').slice(0, -1);
    const kept = lines.filter((line) => {
      const record = parseLine(line, chunk);
      return !record || !isExpired(record, now); // a corrupt line is readChunk's to count
    });
    const expired = lines.length - kept.length;
    if (expired === 0) return 0;
    if (kept.length === 0) {
      await this.removeChunk(chunk);
      return expired;
    }
    const text = kept.map((line) => `${line}\n`).join('');
    await writeFileAtomic(path, text, { mode: 0o600 });
    chunk.bytes = Buffer.byteLength(text);
    chunk.records = kept.length;
    return expired;
  }

  /** The counters are informational: saved at most once a second, and on close. */
  private saveCountersSoon(): void {
    if (this.countersTimer) return;
    this.countersTimer = setTimeout(() => {
      this.countersTimer = undefined;
      void this.serial(() => this.saveCounters());
    }, 1000);
    this.countersTimer.unref?.();
  }

  private async saveCounters(): Promise<void> {
    await writeFileAtomic(join(this.options.dir, STATS_FILE), JSON.stringify(this.counters)).catch((error: unknown) =>
      this.options.log?.warn(`outbox: counters not saved: ${String(error)}`),
    );
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

function isExpired(record: OutboxRecord, now: number): boolean {
  return record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now;
}

function parseLine(line: string, chunk: Chunk): OutboxRecord | undefined {
  if (line.length < 10 || line[8] !== ' ') return undefined;
  const body = line.slice(9);
  if (crc32(body).toString(16).padStart(8, '0') !== line.slice(0, 8)) return undefined;
  try {
    const parsed = JSON.parse(body) as { id?: unknown; t?: unknown; p?: OutboxPayload; x?: unknown };
    if (typeof parsed.id !== 'string' || typeof parsed.t !== 'string' || !parsed.p || parsed.p.signal !== chunk.signal) return undefined;
    return {
      id: parsed.id,
      category: chunk.category,
      priority: chunk.priority,
      enqueuedAt: parsed.t,
      payload: parsed.p,
      chunk: chunk.name,
      ...(typeof parsed.x === 'string' ? { expiresAt: parsed.x } : {}),
    };
  } catch {
    return undefined;
  }
}
