import { closeSync, constants, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { access, open as openFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import { claimStream, currentProcess, liveOwners, ownerFileName, withDirectoryLock } from './LogDirectoryLock.js';
import { isValidStreamName, parseLogFileName, rotatedFileName, rotationStamp, stampTime } from './logFiles.js';
import { enforceRetention, type RetentionPolicy } from './LogRetention.js';
import { LineRuns } from './LineRuns.js';
import type { LogMark, LogSink, SettleOptions, SettleReport } from './Logger.js';
import { compressRotatedFile, gzipBound, recoverCompressions, syncDirectory } from './RotatedLogCompression.js';

export interface RotatingLogOptions {
  dir: string;
  /** The stream's name: the active file is `STREAM.log` (see logFiles.ts). */
  stream: string;
  /** Rotate before the active file would pass this size (default 4 MiB). */
  maxFileBytes?: number;
  /** Rotate a non-empty file at each multiple of this period (UTC; default a day). */
  rotateEveryMs?: number;
  retention?: RetentionPolicy;
  /** gzip rotated files in the background (default true). */
  compress?: boolean;
  clock?: () => number;
  /** Lines buffered past this (the disk stalled) are dropped and counted (default 8 MiB). */
  maxBufferedBytes?: number;
  /** A partial batch is written after this delay (default 50 ms). */
  flushDelayMs?: number;
  /** A batch this large is written at once (default 64 KiB). */
  batchBytes?: number;
  /** How often the active file is checked (deleted, made read-only) and a lost file retried (default 1 s). */
  checkEveryMs?: number;
  /** How often retention runs besides after each rotation (default 10 min). */
  retentionEveryMs?: number;
  /** Problems the file works around (a failed rotation, compression or retention pass). */
  onProblem?: (what: string, error: unknown) => void;
  /** fdatasync of the active file when `settle` asks for sync (default fs.fdatasync; a seam for tests). */
  syncData?: (fd: number) => Promise<void>;
}

const DAY = 86_400_000;

/**
 * A stream's log file in a folder shared with other writers: lines are batched and written
 * asynchronously, one write at a time, so logging never waits on the disk; the file rotates by
 * size and by time, rotated files are gzipped in the background, and retention (age, count, the
 * folder's total bytes, free space) runs after each rotation under the folder's lock.
 *
 * The folder never holds more than `maxTotalBytes`: each writer records a reserve (its active
 * file's cap plus one compression) and every retention pass counts live writers at their reserve;
 * a writer's cap is cut so the reserves fit. Faults are survived, not thrown: a deleted file is
 * reopened, a read-only one or a full disk drops lines (counted in `dropped`) until it recovers.
 *
 * Each line appended gets a sequence number, so `settle` can wait for exactly the lines appended
 * before it (written, or synced too) however many arrive behind them, and say which were dropped.
 */
export class RotatingLogFile implements LogSink {
  readonly path: string;
  /** Lines that never reached the disk (buffer full, disk full, file not writable). */
  dropped = 0;
  rotations = 0;
  /** The active file's cap after sharing the folder's budget with the other writers. */
  maxFileBytes: number;

  private fd = -1;
  private activeBytes = 0;
  private buffer: string[] = [];
  private bufferedChars = 0;
  private carry: Buffer | undefined;
  private pumping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private nextRotationAt = 0;
  private lastRotated: { time: number; stamp: string; n: number } | undefined;
  private lastCheck = 0;
  private compressQueue: string[] = [];
  private compressing: Promise<void> | undefined;
  private retention: Promise<void> | undefined;
  private closed = false;
  /** The sequence number of the last line appended (dropped ones count). */
  private appendedSeq = 0;
  /** Every line up to this one reached the kernel or was dropped. */
  private resolvedSeq = 0;
  /** Every line up to this one was synced, or reported as not synced, or dropped. */
  private syncedSeq = 0;
  /** Sequence numbers of the lines in `buffer`, in `carry`, and in the chunk being written. */
  private bufferSeqs: number[] = [];
  private carrySeqs: number[] = [];
  private writingSeqs: number[] = [];
  private readonly droppedLines = new LineRuns();
  private readonly unsyncedLines = new LineRuns();
  private writeWaiters: { target: number; resolve: () => void }[] = [];
  private syncing: Promise<void> | undefined;
  private syncFd = -1;
  /** Syncs of rotated-out files and of the folder (new names): a synced line may sit in one of those files. */
  private readonly durability = new Set<Promise<boolean>>();
  private durabilityFailed = false;
  private readonly syncData: (fd: number) => Promise<void>;
  private readonly clock: () => number;
  private readonly options: Required<Omit<RotatingLogOptions, 'retention' | 'onProblem' | 'clock' | 'syncData'>> &
    Pick<RotatingLogOptions, 'retention' | 'onProblem'>;

  private constructor(options: RotatingLogOptions) {
    if (!isValidStreamName(options.stream)) throw new Error(`Not a log stream name: ${options.stream}`);
    this.clock = options.clock ?? Date.now;
    this.syncData = options.syncData ?? fdatasync;
    const { syncData: _seam, ...rest } = options;
    this.options = {
      maxFileBytes: 4 * 1024 * 1024,
      rotateEveryMs: DAY,
      compress: true,
      maxBufferedBytes: 8 * 1024 * 1024,
      flushDelayMs: 50,
      batchBytes: 64 * 1024,
      checkEveryMs: 1000,
      retentionEveryMs: 10 * 60_000,
      ...rest,
    };
    this.path = join(options.dir, `${options.stream}.log`);
    this.maxFileBytes = this.options.maxFileBytes;
  }

  /** Opens the stream's active file: claims the stream, finishes what a killed owner left, applies retention. */
  static async open(options: RotatingLogOptions): Promise<RotatingLogFile> {
    const file = new RotatingLogFile(options);
    await file.start();
    return file;
  }

  private async start(): Promise<void> {
    const { dir, stream } = this.options;
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    const pending = await withDirectoryLock(dir, async () => {
      const others = liveOwners(dir).filter((o) => o.stream !== stream);
      const budget = this.options.retention?.maxTotalBytes;
      if (budget !== undefined) {
        // Room for the others' reserves and the small files (lock, owner records); the rest is ours: see reserveBytes.
        const room = budget - others.reduce((sum, o) => sum + o.reserveBytes, 0) - 4096;
        const fitting = Math.floor(this.options.compress ? (room - 1024) / (3 + 5 / 16_384) : room / 2);
        this.maxFileBytes = Math.max(4096, Math.min(this.options.maxFileBytes, fitting));
      }
      await claimStream(dir, stream, this.reserveBytes());
      return recoverCompressions(dir, stream);
    });
    this.lastRotated = await this.newestRotated();
    await this.openActive();
    await this.cutTornTail().catch((error) => this.options.onProblem?.('open', error));
    this.nextRotationAt = this.boundaryAfter(this.clock());
    if (this.activeBytes > this.maxFileBytes) await this.rotate();
    else await this.runRetention();
    if (this.options.compress) this.compressQueue.push(...pending);
    this.kickCompression();
    this.maintenanceTimer = setInterval(() => void this.runRetention(), this.options.retentionEveryMs);
    this.maintenanceTimer.unref();
  }

  /**
   * What this writer may add to the folder between two retention passes: its active file, the
   * next one (it fills while retention runs after a rotation), and one compression's output.
   */
  private reserveBytes(): number {
    return 2 * this.maxFileBytes + (this.options.compress ? gzipBound(this.maxFileBytes) : 0);
  }

  /** A line is one newline-terminated string (a JSON line). */
  append(line: string): void {
    const seq = ++this.appendedSeq;
    if (this.closed || this.bufferedChars + line.length > this.options.maxBufferedBytes) {
      this.dropped++;
      this.droppedLines.add(seq, seq);
      this.advance();
      return;
    }
    this.buffer.push(line);
    this.bufferSeqs.push(seq);
    this.bufferedChars += line.length;
    if (this.bufferedChars >= this.options.batchBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.flushDelayMs);
  }

  /** Starts writing what is buffered (if no write is under way); returns at once. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pumping || (this.buffer.length === 0 && !this.carry)) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      // A pump that failed in the middle of a chunk lost it.
      if (this.writingSeqs.length > 0) this.dropWriting();
      if (this.buffer.length > 0 && !this.closed) this.flush();
    });
  }

  private async pump(): Promise<void> {
    while ((this.buffer.length > 0 || this.carry) && !this.closed) {
      await this.maintain();
      let chunk = this.takeChunk();
      if (this.fd < 0) {
        this.dropWriting();
        continue;
      }
      if (this.activeBytes > 0 && this.activeBytes + chunk.length > this.maxFileBytes) {
        await this.rotate();
        if (this.fd < 0) {
          this.dropWriting();
          continue;
        }
      }
      const room = this.maxFileBytes - this.activeBytes;
      if (chunk.length > room) {
        // Whole lines only: what does not fit waits for the next file; a single line larger than a file is dropped.
        const cut = room > 0 ? chunk.lastIndexOf(0x0a, room - 1) + 1 : 0;
        if (cut === 0) {
          const end = chunk.indexOf(0x0a) + 1 || chunk.length;
          this.carry = end < chunk.length ? chunk.subarray(end) : undefined;
          this.carrySeqs = this.writingSeqs.slice(1);
          this.writingSeqs = this.writingSeqs.slice(0, 1);
          this.dropWriting();
          continue;
        }
        this.carry = chunk.subarray(cut);
        chunk = chunk.subarray(0, cut);
        const fitting = countLines(chunk);
        this.carrySeqs = this.writingSeqs.slice(fitting);
        this.writingSeqs = this.writingSeqs.slice(0, fitting);
      }
      await this.writeChunk(chunk);
      this.writingSeqs = [];
      this.advance();
    }
  }

  /** The chunk being written is lost (no file, a line larger than a file): counted, and its waiters told. */
  private dropWriting(): void {
    const seqs = this.writingSeqs;
    this.writingSeqs = [];
    this.dropSeqs(seqs);
    this.advance();
  }

  private dropSeqs(seqs: readonly number[]): void {
    this.dropped += seqs.length;
    // Runs of consecutive numbers at a time: a chunk is mostly one run.
    let start = 0;
    for (let i = 1; i <= seqs.length; i++) {
      if (i < seqs.length && seqs[i] === seqs[i - 1]! + 1) continue;
      this.droppedLines.add(seqs[start]!, seqs[i - 1]!);
      start = i;
    }
  }

  /** Moves `resolvedSeq` to just before the oldest line still on its way, and wakes who waited for it. */
  private advance(): void {
    const oldest = this.writingSeqs[0] ?? this.carrySeqs[0] ?? this.bufferSeqs[0];
    this.resolvedSeq = oldest === undefined ? this.appendedSeq : oldest - 1;
    let woken = 0;
    while (woken < this.writeWaiters.length && this.writeWaiters[woken]!.target <= this.resolvedSeq) this.writeWaiters[woken++]!.resolve();
    if (woken > 0) this.writeWaiters.splice(0, woken);
  }

  /** Where the file stands in its lines: hand it to `settle` after appending a batch. */
  mark(): LogMark {
    return this.appendedSeq;
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
    const target = this.appendedSeq;
    if (this.resolvedSeq < target) {
      const written = new Promise<void>((resolve) => this.writeWaiters.push({ target, resolve }));
      this.flush();
      await written;
    }
    // One fdatasync serves every caller whose lines were written before it started (group commit).
    if (options.sync) while (this.syncedSeq < target) await (this.syncing ?? this.syncPass());
    return { dropped: this.droppedLines.count(after, target), unsynced: options.sync ? this.unsyncedLines.count(after, target) : 0 };
  }

  private syncPass(): Promise<void> {
    const from = this.syncedSeq;
    const through = this.resolvedSeq;
    const fd = this.fd;
    this.syncFd = fd;
    this.syncing = (async () => {
      let ok = fd >= 0;
      if (ok) {
        ok = await this.syncData(fd).then(
          () => true,
          (error: unknown) => {
            this.options.onProblem?.('sync', error);
            return false;
          },
        );
      }
      // Lines of the range may sit in a file rotated out meanwhile, under names not yet durable.
      const durable = (await Promise.all([...this.durability])).every(Boolean) && !this.durabilityFailed;
      this.durabilityFailed = false;
      if (!ok || !durable) for (const gap of this.droppedLines.gaps(from, through)) this.unsyncedLines.add(gap.from, gap.to);
      this.syncedSeq = Math.max(this.syncedSeq, through);
    })().finally(() => {
      this.syncing = undefined;
      this.syncFd = -1;
    });
    return this.syncing;
  }

  /** Keeps a sync of a rotated file or of the folder in view of the next sync pass. */
  private trackDurability(work: Promise<unknown>): void {
    const done: Promise<boolean> = work.then(
      () => true,
      () => {
        this.durabilityFailed = true;
        return false;
      },
    );
    this.durability.add(done);
    void done.finally(() => this.durability.delete(done));
  }

  private takeChunk(): Buffer {
    if (this.carry) {
      const carried = this.carry;
      this.carry = undefined;
      this.writingSeqs = this.carrySeqs;
      this.carrySeqs = [];
      return carried;
    }
    // Everything buffered, up to a file's worth: each write waits for the loop, which may bring another burst of lines.
    const budget = this.maxFileBytes;
    let lines: string[];
    if (this.bufferedChars <= budget) {
      lines = this.buffer;
      this.writingSeqs = this.bufferSeqs;
      this.buffer = [];
      this.bufferSeqs = [];
      this.bufferedChars = 0;
    } else {
      let chars = 0;
      let count = 0;
      while (count < this.buffer.length && (count === 0 || chars + this.buffer[count]!.length <= budget)) chars += this.buffer[count++]!.length;
      lines = this.buffer.slice(0, count);
      this.writingSeqs = this.bufferSeqs.slice(0, count);
      this.buffer = this.buffer.slice(count);
      this.bufferSeqs = this.bufferSeqs.slice(count);
      this.bufferedChars -= chars;
    }
    return Buffer.from(lines.join(''), 'utf8');
  }

  private async writeChunk(chunk: Buffer): Promise<void> {
    let written = 0;
    let retried = false;
    for (;;) {
      try {
        while (written < chunk.length) {
          const { bytesWritten } = await writeAsync(this.fd, chunk, written, chunk.length - written);
          written += bytesWritten;
        }
        this.activeBytes += written;
        return;
      } catch (error) {
        // Keep whole lines only: cut a partly written line off the file.
        // (A negative offset would search from the end: nothing written keeps nothing.)
        const kept = written > 0 ? chunk.lastIndexOf(0x0a, written - 1) + 1 : 0;
        if (kept < written) await ftruncate(this.fd, this.activeBytes + kept).catch(() => undefined);
        written = kept;
        const code = (error as NodeJS.ErrnoException).code;
        const full = code === 'ENOSPC' || code === 'EDQUOT';
        if (full && !retried) {
          // Retention frees the oldest rotated files when the disk runs low: then the rest fits.
          retried = true;
          await this.runRetention();
          continue;
        }
        // The rest is dropped and counted.
        this.activeBytes += kept;
        this.dropSeqs(this.writingSeqs.slice(countLines(chunk.subarray(0, kept))));
        if (full) void this.runRetention();
        else this.closeActive();
        this.options.onProblem?.('write', error);
        return;
      }
    }
  }

  /** Checks the active file now and then: reopens a deleted one, lets go of one made read-only, retries a lost one. */
  private async maintain(): Promise<void> {
    const now = this.clock();
    if (this.fd >= 0 && this.activeBytes > 0 && (now >= this.nextRotationAt || now < this.nextRotationAt - this.options.rotateEveryMs)) {
      // A clock that jumped back before this period began starts a new period, without rotating.
      if (now >= this.nextRotationAt) await this.rotate();
      else this.nextRotationAt = this.boundaryAfter(now);
    }
    const wall = Date.now();
    if (wall - this.lastCheck < this.options.checkEveryMs) return;
    this.lastCheck = wall;
    if (this.fd < 0) {
      await this.openActive().catch((error) => this.options.onProblem?.('open', error));
      return;
    }
    try {
      const info = await fstat(this.fd);
      if (info.nlink === 0) {
        this.closeActive();
        await this.openActive();
        return;
      }
      await access(this.path, constants.W_OK);
    } catch (error) {
      this.closeActive();
      this.options.onProblem?.('check', error);
    }
  }

  private async openActive(): Promise<void> {
    mkdirSync(this.options.dir, { recursive: true, mode: 0o750 });
    // A plain descriptor, not a FileHandle: flushSync writes with it synchronously.
    const fd = await openAsync(this.path, 'a', 0o640);
    this.fd = fd;
    this.activeBytes = (await fstat(fd)).size;
    // The file may be new: its name is durable once the folder is synced.
    this.trackDurability(syncDirectory(this.options.dir));
  }

  /**
   * A writer killed in the middle of a write (SIGKILL stops a write between two pages) leaves the
   * start of a line at the end of the active file; appending after it would fuse it with our first
   * line. That line was never confirmed written: cut it off, keeping whole lines only.
   */
  private async cutTornTail(): Promise<void> {
    if (this.activeBytes === 0) return;
    const reader = await openFile(this.path, 'r');
    try {
      const step = 64 * 1024;
      let end = this.activeBytes;
      let keep = 0;
      while (end > 0) {
        const start = Math.max(0, end - step);
        const chunk = Buffer.alloc(end - start);
        const { bytesRead } = await reader.read(chunk, 0, chunk.length, start);
        const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
        if (newline >= 0) {
          keep = start + newline + 1;
          break;
        }
        end = start;
      }
      if (keep === this.activeBytes) return;
      await ftruncate(this.fd, keep);
      this.activeBytes = keep;
    } finally {
      await reader.close();
    }
  }

  private openActiveSync(): void {
    try {
      this.fd = openSync(this.path, 'a', 0o640);
      this.activeBytes = fstatSync(this.fd).size;
    } catch (error) {
      // Retried by the next check (maintain).
      this.options.onProblem?.('open', error);
    }
  }

  private closeActive(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    // A sync pass still uses it: closing now could let a new file take its number under that fdatasync.
    if (this.syncing && this.syncFd === fd) void this.syncing.finally(() => closeQuietly(fd));
    else closeQuietly(fd);
  }

  private boundaryAfter(time: number): number {
    const period = this.options.rotateEveryMs;
    return Math.floor(time / period) * period + period;
  }

  /**
   * Renames the active file to its stamped name, opens a new one, syncs the folder; then retention
   * and compression in the background. The renames and the open are synchronous: metadata calls of
   * microseconds, once per file; each await here would let another burst of lines in while the
   * writer stands still.
   */
  private async rotate(): Promise<void> {
    // At most one rotated file waits for retention (the reserve covers one).
    if (this.retention) await this.retention;
    const now = this.clock();
    const { dir, stream } = this.options;
    const time = Math.max(now, this.lastRotated?.time ?? 0);
    const stamp = rotationStamp(time);
    let n = this.lastRotated?.stamp === stamp ? this.lastRotated.n + 1 : 0;
    while (existsSync(join(dir, rotatedFileName(stream, stamp, n, false))) || existsSync(join(dir, rotatedFileName(stream, stamp, n, true)))) n++;
    const target = rotatedFileName(stream, stamp, n, false);
    const old = this.fd;
    try {
      renameSync(this.path, join(dir, target));
    } catch (error) {
      this.options.onProblem?.('rotate', error);
      // The active file vanished: start a new one. Otherwise (a read-only folder) let go of it until it is writable.
      this.closeActive();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.openActiveSync();
      return;
    }
    this.lastRotated = { time, stamp, n };
    this.rotations++;
    this.fd = -1;
    // Off the writing path: the rotated file's data reaches the disk while the new file fills (its gzip is synced again).
    const oldSynced = fdatasync(old);
    this.trackDurability(oldSynced);
    // Closed once no sync pass uses it either (it may have started on this descriptor).
    void Promise.allSettled([oldSynced, this.syncing]).then(() => close(old).catch(() => undefined));
    this.openActiveSync();
    // Both names made durable at once; off the writing path (a folder's fsync can take tens of ms).
    const namesSynced = syncDirectory(dir);
    this.trackDurability(namesSynced);
    namesSynced.catch((error: unknown) => this.options.onProblem?.('rotate', error));
    this.nextRotationAt = this.boundaryAfter(now);
    // Retention runs while the new file fills: the reserve counts a second file for that.
    void this.runRetention();
    if (this.options.compress) {
      this.compressQueue.push(target);
      this.kickCompression();
    }
  }

  private async newestRotated(): Promise<{ time: number; stamp: string; n: number } | undefined> {
    let newest: { time: number; stamp: string; n: number } | undefined;
    for (const name of await readdir(this.options.dir)) {
      const parsed = parseLogFileName(name);
      if (!parsed || parsed.active || parsed.stream !== this.options.stream) continue;
      if (!newest || parsed.stamp! > newest.stamp || (parsed.stamp === newest.stamp && parsed.n > newest.n))
        newest = { time: stampTime(parsed.stamp!), stamp: parsed.stamp!, n: parsed.n };
    }
    return newest;
  }

  /** One retention pass under the folder's lock (passes asked for while one runs share it). */
  runRetention(): Promise<void> {
    this.retention ??= withDirectoryLock(this.options.dir, async () =>
      enforceRetention(this.options.dir, this.options.stream, this.options.retention ?? {}, this.clock()),
    )
      .then(
        () => undefined,
        (error) => this.options.onProblem?.('retention', error),
      )
      .finally(() => {
        this.retention = undefined;
      });
    return this.retention;
  }

  private kickCompression(): void {
    if (this.compressing || this.compressQueue.length === 0 || this.closed) return;
    const name = this.compressQueue.shift()!;
    this.compressing = compressRotatedFile(this.options.dir, name)
      .then(
        () => undefined,
        (error) => this.options.onProblem?.('compress', error),
      )
      .finally(() => {
        this.compressing = undefined;
        this.kickCompression();
      });
  }

  /**
   * Writes everything buffered now, synchronously, within `timeCapMs`; then syncs the file. For
   * the crash path only (an orderly shutdown uses closeAsync): a write still under way when it runs
   * may land after these lines. It keeps to the file's cap, rotating (synchronously, at most once)
   * if needed and no write is under way.
   */
  flushSync(timeCapMs = 1000): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeCapMs;
    const parts: Buffer[] = [];
    if (this.carry) parts.push(this.carry);
    if (this.buffer.length > 0) parts.push(Buffer.from(this.buffer.join(''), 'utf8'));
    const seqs = [...this.carrySeqs, ...this.bufferSeqs];
    this.carry = undefined;
    this.carrySeqs = [];
    this.buffer = [];
    this.bufferSeqs = [];
    this.bufferedChars = 0;
    let data = Buffer.concat(parts);
    if (this.fd < 0) {
      this.dropSeqs(seqs);
      this.advance();
      return;
    }
    let rotated = false;
    let overCap = false;
    while (data.length > 0 && Date.now() < deadline) {
      const room = this.maxFileBytes - this.activeBytes;
      let cut = overCap || data.length <= room ? data.length : room > 0 ? data.lastIndexOf(0x0a, room - 1) + 1 : 0;
      if (cut === 0) {
        if (rotated || this.activeBytes === 0) break;
        rotated = true;
        // A write still under way uses the descriptor: rotating would close it under that write.
        // On the way out (a crash) the lines matter more than the cap: they go over it instead.
        if (this.pumping) overCap = true;
        else if (!this.rotateSync()) break;
        else continue;
        cut = data.length;
      }
      try {
        const n = writeSync(this.fd, data, 0, cut);
        this.activeBytes += n;
        data = data.subarray(n);
      } catch (error) {
        // EAGAIN: try again until the cap; anything else: give up.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') break;
      }
    }
    this.dropSeqs(seqs.slice(seqs.length - countLines(data)));
    this.advance();
    try {
      fsyncSync(this.fd);
    } catch {
      // Nothing more to do on the way out.
    }
  }

  private rotateSync(): boolean {
    try {
      const time = Math.max(this.clock(), (this.lastRotated?.time ?? 0) + 1);
      const target = join(this.options.dir, rotatedFileName(this.options.stream, rotationStamp(time), 0, false));
      renameSync(this.path, target);
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = openSync(this.path, 'a', 0o640);
      this.activeBytes = fstatSync(this.fd).size;
      this.lastRotated = { time, stamp: rotationStamp(time), n: 0 };
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves once everything appended so far reached the file or was dropped (tests, orderly shutdown). */
  async whenWritten(): Promise<void> {
    await this.settle(this.appendedSeq);
  }

  /** Resolves once writes, compressions and retention under way are done. */
  async whenIdle(): Promise<void> {
    await this.whenWritten();
    while (this.compressing || this.retention) await Promise.all([this.compressing, this.retention]);
  }

  /**
   * An orderly close: waits for the write under way and the lines behind it, then for compressions
   * and retention, so every line lands once and in order; then closes as `close` does.
   */
  async closeAsync(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      await this.whenWritten();
      if (this.pumping) {
        await this.pumping;
        continue;
      }
      if (this.compressing || this.retention) {
        await Promise.all([this.compressing, this.retention]);
        continue;
      }
      // Lines that arrived during the waits were handed to a new pump, awaited by the next turn.
      if (!this.pumping && this.buffer.length === 0 && !this.carry) break;
    }
    this.close();
  }

  /** Closes at once (the final flush is synchronous); use closeAsync unless the process is going down now. */
  close(): void {
    if (this.closed) return;
    this.flushSync();
    this.closed = true;
    clearInterval(this.maintenanceTimer);
    // A write under way still uses the descriptor: closing it now could let a new file take its number mid-write.
    if (this.pumping) void this.pumping.finally(() => this.closeActive());
    else this.closeActive();
    try {
      const owner = join(this.options.dir, ownerFileName(this.options.stream));
      if (fs.readFileSync(owner, 'utf8').includes(`"pid":${currentProcess().pid},`)) unlinkSync(owner);
    } catch {
      // Not ours or already gone.
    }
  }
}

const writeAsync = (fd: number, buffer: Buffer, offset: number, length: number) =>
  new Promise<{ bytesWritten: number }>((resolve, reject) =>
    fs.write(fd, buffer, offset, length, null, (error, bytesWritten) => (error ? reject(error) : resolve({ bytesWritten }))),
  );
const openAsync = promisify(fs.open);
const fstat = promisify(fs.fstat);
const close = promisify(fs.close);
const fdatasync = promisify(fs.fdatasync);
const ftruncate = promisify(fs.ftruncate);

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already gone.
  }
}

function countLines(data: Buffer): number {
  let count = 0;
  let at = data.indexOf(0x0a);
  while (at >= 0) {
    count++;
    at = data.indexOf(0x0a, at + 1);
  }
  return count;
}
