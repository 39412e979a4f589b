import { join } from 'node:path';
import { ActiveLogFile } from './ActiveLogFile.js';
import { CompressionQueue } from './CompressionQueue.js';
import { CrashFlush } from './CrashFlush.js';
import { fdatasyncAsync } from './descriptorCalls.js';
import { LineBatchWriter } from './LineBatchWriter.js';
import { LineLedger } from './LineLedger.js';
import { claimFolderShare, releaseFolderShare } from './LogFolderShare.js';
import type { LogMark, LogSink, SettleOptions, SettleReport } from './Logger.js';
import { LogRotation } from './LogRotation.js';
import { PendingLines } from './PendingLines.js';
import { RetentionPasses } from './RetentionPasses.js';
import { resolveRotatingLogOptions, type ProblemReport, type ResolvedRotatingLogOptions, type RotatingLogOptions } from './RotatingLogOptions.js';
import { SyncPasses } from './SyncPasses.js';

export type { RotatingLogOptions } from './RotatingLogOptions.js';

/**
 * A stream's log file in a folder shared with other writers: lines are batched and written
 * asynchronously, one write at a time, so logging never waits on the disk (LineBatchWriter); the
 * file rotates by size and by time (LogRotation), rotated files are gzipped in the background
 * (CompressionQueue), and retention (age, count, the folder's total bytes, free space) runs after
 * each rotation under the folder's lock (RetentionPasses).
 *
 * The folder never holds more than `maxTotalBytes`: each writer records a reserve and its cap is cut
 * so the reserves fit (LogFolderShare). Faults are survived, not thrown: a deleted file is reopened,
 * a read-only one or a full disk drops lines (counted in `dropped`) until it recovers (ActiveLogFile).
 *
 * Each line appended gets a sequence number, so `settle` can wait for exactly the lines appended
 * before it (written, or synced too) however many arrive behind them, and say which were dropped
 * (LineLedger, SyncPasses).
 */
export class RotatingLogFile implements LogSink {
  readonly path: string;
  /** The active file's cap after sharing the folder's budget with the other writers. */
  readonly maxFileBytes: number;

  private readonly ledger = new LineLedger();
  private readonly pending: PendingLines;
  private readonly syncs: SyncPasses;
  private readonly active: ActiveLogFile;
  private readonly retention: RetentionPasses;
  private readonly compressions: CompressionQueue;
  private readonly rotation: LogRotation;
  private readonly writer: LineBatchWriter;
  private readonly crashFlush: CrashFlush;

  private constructor(
    private readonly options: ResolvedRotatingLogOptions,
    maxFileBytes: number,
  ) {
    const { dir, stream } = options;
    const clock = options.clock ?? Date.now;
    const onProblem: ProblemReport = (what, error) => options.onProblem?.(what, error);
    this.path = join(dir, `${stream}.log`);
    this.maxFileBytes = maxFileBytes;
    const ledger = this.ledger;
    const pending = (this.pending = new PendingLines(options.maxBufferedBytes));
    const syncs = (this.syncs = new SyncPasses(ledger, options.syncData ?? fdatasyncAsync, onProblem));
    const active = (this.active = new ActiveLogFile(this.path, dir, syncs, options.checkEveryMs, onProblem));
    const retention = (this.retention = new RetentionPasses(dir, stream, options.retention, clock, onProblem));
    const compressions = (this.compressions = new CompressionQueue(dir, options.compress, onProblem));
    const rotation = (this.rotation = new LogRotation({
      dir,
      stream,
      rotateEveryMs: options.rotateEveryMs,
      clock,
      active,
      syncs,
      retention,
      compressions,
      onProblem,
    }));
    const writer = (this.writer = new LineBatchWriter({
      ledger,
      pending,
      active,
      rotation,
      retention,
      maxFileBytes,
      batchBytes: options.batchBytes,
      flushDelayMs: options.flushDelayMs,
      onProblem,
    }));
    this.crashFlush = new CrashFlush({ ledger, pending, active, rotation, writer, maxFileBytes });
  }

  /** Opens the stream's active file: claims the stream, finishes what a killed owner left, applies retention. */
  static async open(options: RotatingLogOptions): Promise<RotatingLogFile> {
    const resolved = resolveRotatingLogOptions(options);
    const share = await claimFolderShare(resolved);
    const file = new RotatingLogFile(resolved, share.maxFileBytes);
    await file.start(share.uncompressed);
    return file;
  }

  private async start(uncompressed: string[]): Promise<void> {
    await this.rotation.findNewest();
    await this.active.open();
    await this.active.cutTornTail().catch((error) => this.options.onProblem?.('open', error));
    this.rotation.startPeriod();
    if (this.active.bytes > this.maxFileBytes) await this.rotation.rotate();
    else await this.retention.run();
    this.compressions.add(...uncompressed);
    this.retention.runEvery(this.options.retentionEveryMs);
  }

  /** Lines that never reached the disk (buffer full, disk full, file not writable). */
  get dropped(): number {
    return this.ledger.dropped;
  }

  get rotations(): number {
    return this.rotation.count;
  }

  /** A line is one newline-terminated string (a JSON line). */
  append(line: string): void {
    this.writer.append(line);
  }

  /** Starts writing what is buffered (if no write is under way); returns at once. */
  flush(): void {
    this.writer.flush();
  }

  /** Where the file stands in its lines: hand it to `settle` after appending a batch. */
  mark(): LogMark {
    return this.ledger.appended;
  }

  /**
   * Resolves once every line appended before the call reached the kernel (write(2) returned) or
   * was dropped, and with `sync` was fdatasync'd too (with the rotated file and the folder if a
   * rotation came between); lines appended later are not waited for, so it cannot starve under
   * load. Starts the write at once. Reports, of the lines appended since `since` (from `mark`),
   * how many were dropped and how many were written but could not be synced.
   */
  async settle(since: LogMark, options: SettleOptions = {}): Promise<SettleReport> {
    const after = typeof since === 'number' ? since : 0;
    const target = this.ledger.appended;
    if (this.ledger.resolved < target) {
      const written = this.ledger.whenResolved(target);
      this.writer.flush();
      await written;
    }
    // One fdatasync serves every caller whose lines were written before it started (group commit).
    if (options.sync) while (this.ledger.synced < target) await this.syncs.run(this.active.fd);
    return this.ledger.report(after, target, options.sync);
  }

  /** One retention pass under the folder's lock (passes asked for while one runs share it). */
  runRetention(): Promise<void> {
    return this.retention.run();
  }

  /**
   * Writes everything buffered now, synchronously, within `timeCapMs`; then syncs the file. For
   * the crash path only (an orderly shutdown uses closeAsync): see CrashFlush.
   */
  flushSync(timeCapMs = 1000): void {
    this.crashFlush.run(timeCapMs);
  }

  /** Resolves once everything appended so far reached the file or was dropped (tests, orderly shutdown). */
  async whenWritten(): Promise<void> {
    await this.settle(this.ledger.appended);
  }

  /** Resolves once writes, compressions and retention under way are done. */
  async whenIdle(): Promise<void> {
    await this.whenWritten();
    while (this.compressions.running || this.retention.running) await Promise.all([this.compressions.running, this.retention.running]);
  }

  /**
   * An orderly close: waits for the write under way and the lines behind it, then for compressions
   * and retention, so every line lands once and in order; then closes as `close` does.
   */
  async closeAsync(): Promise<void> {
    for (;;) {
      if (this.writer.closed) return;
      await this.whenWritten();
      if (this.writer.pumping) {
        await this.writer.pumping;
        continue;
      }
      if (this.compressions.running || this.retention.running) {
        await Promise.all([this.compressions.running, this.retention.running]);
        continue;
      }
      // Lines that arrived during the waits were handed to a new pump, awaited by the next turn.
      if (!this.writer.pumping && this.pending.isEmpty()) break;
    }
    this.close();
  }

  /** Closes at once (the final flush is synchronous); use closeAsync unless the process is going down now. */
  close(): void {
    if (this.writer.closed) return;
    this.flushSync();
    this.writer.stop();
    this.compressions.stop();
    this.retention.stop();
    // A write under way still uses the descriptor: closing it now could let a new file take its number mid-write.
    const pumping = this.writer.pumping;
    if (pumping) void pumping.finally(() => this.active.close());
    else this.active.close();
    releaseFolderShare(this.options.dir, this.options.stream);
  }
}
