import type { ActiveLogFile } from './ActiveLogFile.js';
import { ftruncateAsync, writeAsync } from './descriptorCalls.js';
import type { LineLedger } from './LineLedger.js';
import type { LogRotation } from './LogRotation.js';
import { countLines, type PendingLines } from './PendingLines.js';
import type { RetentionPasses } from './RetentionPasses.js';
import type { ProblemReport } from './RotatingLogOptions.js';

export interface LineBatchWriterParts {
  ledger: LineLedger;
  pending: PendingLines;
  active: ActiveLogFile;
  rotation: LogRotation;
  retention: RetentionPasses;
  /** The active file's cap. */
  maxFileBytes: number;
  /** A batch this large is written at once. */
  batchBytes: number;
  /** A partial batch is written after this delay. */
  flushDelayMs: number;
  onProblem: ProblemReport;
}

/**
 * Writes appended lines in batches, asynchronously, one write at a time, so logging never waits on
 * the disk. Whole lines only: a file is never left ending in part of a line, and a line never
 * straddles two files. Faults are survived, not thrown: what cannot be written is dropped and counted.
 */
export class LineBatchWriter {
  /** Stopped: lines appended from now on are dropped, and no write starts. */
  closed = false;
  /** The write loop under way. */
  pumping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly parts: LineBatchWriterParts) {}

  /** A line is one newline-terminated string (a JSON line). */
  append(line: string): void {
    const { ledger, pending } = this.parts;
    const seq = ledger.next();
    if (this.closed || !pending.fits(line)) {
      ledger.dropOne(seq);
      this.advance();
      return;
    }
    pending.push(line, seq);
    if (pending.bufferedChars >= this.parts.batchBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.parts.flushDelayMs);
  }

  /** Starts writing what is buffered (if no write is under way); returns at once. */
  flush(): void {
    this.cancelScheduledFlush();
    if (this.pumping || this.parts.pending.isEmpty()) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      // A pump that failed in the middle of a chunk lost it.
      if (this.parts.pending.writing.length > 0) this.dropWriting();
      if (this.parts.pending.hasBuffered() && !this.closed) this.flush();
    });
  }

  stop(): void {
    this.closed = true;
  }

  /** Forgets the partial batch's timer (a flush, or the crash flush, takes the lines now). */
  cancelScheduledFlush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Moves the ledger past every line no longer on its way. */
  advance(): void {
    this.parts.ledger.resolveBefore(this.parts.pending.oldestSeq());
  }

  private async pump(): Promise<void> {
    const { pending, active, rotation, maxFileBytes } = this.parts;
    while (!pending.isEmpty() && !this.closed) {
      await rotation.rotateIfDue();
      await active.check();
      // Everything buffered, up to a file's worth: each write waits for the loop, which may bring another burst of lines.
      let chunk = pending.takeChunk(maxFileBytes);
      if (active.fd < 0) {
        this.dropWriting();
        continue;
      }
      if (active.bytes > 0 && active.bytes + chunk.length > maxFileBytes) {
        await rotation.rotate();
        if (active.fd < 0) {
          this.dropWriting();
          continue;
        }
      }
      const room = maxFileBytes - active.bytes;
      if (chunk.length > room) {
        // Whole lines only: what does not fit waits for the next file; a single line larger than a file is dropped.
        const cut = room > 0 ? chunk.lastIndexOf(0x0a, room - 1) + 1 : 0;
        if (cut === 0) {
          pending.carryFrom(chunk, chunk.indexOf(0x0a) + 1 || chunk.length, 1);
          this.dropWriting();
          continue;
        }
        pending.carryFrom(chunk, cut, countLines(chunk.subarray(0, cut)));
        chunk = chunk.subarray(0, cut);
      }
      await this.writeChunk(chunk);
      pending.writing = [];
      this.advance();
    }
  }

  /** The chunk being written is lost (no file, a line larger than a file): counted, and its waiters told. */
  private dropWriting(): void {
    const { pending, ledger } = this.parts;
    const seqs = pending.writing;
    pending.writing = [];
    ledger.drop(seqs);
    this.advance();
  }

  private async writeChunk(chunk: Buffer): Promise<void> {
    const { active, pending, ledger, retention, onProblem } = this.parts;
    let written = 0;
    let retried = false;
    for (;;) {
      try {
        while (written < chunk.length) {
          const { bytesWritten } = await writeAsync(active.fd, chunk, written, chunk.length - written);
          written += bytesWritten;
        }
        active.bytes += written;
        return;
      } catch (error) {
        // Keep whole lines only: cut a partly written line off the file.
        // (A negative offset would search from the end: nothing written keeps nothing.)
        const kept = written > 0 ? chunk.lastIndexOf(0x0a, written - 1) + 1 : 0;
        if (kept < written) await ftruncateAsync(active.fd, active.bytes + kept).catch(() => undefined);
        written = kept;
        const code = (error as NodeJS.ErrnoException).code;
        const full = code === 'ENOSPC' || code === 'EDQUOT';
        if (full && !retried) {
          // Retention frees the oldest rotated files when the disk runs low: then the rest fits.
          retried = true;
          await retention.run();
          continue;
        }
        // The rest is dropped and counted.
        active.bytes += kept;
        ledger.drop(pending.writing.slice(countLines(chunk.subarray(0, kept))));
        if (full) void retention.run();
        else active.close();
        onProblem('write', error);
        return;
      }
    }
  }
}
