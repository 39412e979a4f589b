import { fsyncSync, writeSync } from 'node:fs';
import type { ActiveLogFile } from './ActiveLogFile.js';
import type { LineBatchWriter } from './LineBatchWriter.js';
import type { LineLedger } from './LineLedger.js';
import type { LogRotation } from './LogRotation.js';
import { countLines, type PendingLines } from './PendingLines.js';

export interface CrashFlushParts {
  ledger: LineLedger;
  pending: PendingLines;
  active: ActiveLogFile;
  rotation: LogRotation;
  writer: LineBatchWriter;
  /** The active file's cap. */
  maxFileBytes: number;
}

/**
 * Writes everything buffered now, synchronously, then syncs the file: for the crash path, where no
 * asynchronous write would ever finish. A write still under way when it runs may land after these
 * lines. It keeps to the file's cap, rotating (synchronously, at most once) if needed and no write
 * is under way.
 */
export class CrashFlush {
  constructor(private readonly parts: CrashFlushParts) {}

  run(timeCapMs: number): void {
    const { ledger, pending, active, rotation, writer, maxFileBytes } = this.parts;
    writer.cancelScheduledFlush();
    const deadline = Date.now() + timeCapMs;
    const taken = pending.takeAll();
    const seqs = taken.seqs;
    let data = taken.data;
    if (active.fd < 0) {
      ledger.drop(seqs);
      writer.advance();
      return;
    }
    let rotated = false;
    let overCap = false;
    while (data.length > 0 && Date.now() < deadline) {
      const room = maxFileBytes - active.bytes;
      let cut = overCap || data.length <= room ? data.length : room > 0 ? data.lastIndexOf(0x0a, room - 1) + 1 : 0;
      if (cut === 0) {
        if (rotated || active.bytes === 0) break;
        rotated = true;
        // A write still under way uses the descriptor: rotating would close it under that write.
        // On the way out (a crash) the lines matter more than the cap: they go over it instead.
        if (writer.pumping) overCap = true;
        else if (!rotation.rotateSync()) break;
        else continue;
        cut = data.length;
      }
      try {
        const n = writeSync(active.fd, data, 0, cut);
        active.bytes += n;
        data = data.subarray(n);
      } catch (error) {
        // EAGAIN: try again until the cap; anything else: give up.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') break;
      }
    }
    ledger.drop(seqs.slice(seqs.length - countLines(data)));
    writer.advance();
    try {
      fsyncSync(active.fd);
    } catch {
      // Nothing more to do on the way out.
    }
  }
}
