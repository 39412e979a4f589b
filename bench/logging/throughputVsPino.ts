import { once } from 'node:events';
import { lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import pino from 'pino';
import { Logger } from '../../main/services/logging/Logger.js';
import { RotatingLogFile } from '../../main/services/logging/RotatingLogFile.js';
import { RedactingLogSink } from '../../main/services/telemetry/RedactingLogSink.js';
import type { LoggingCase } from './index.js';
import { benchRecord } from './throughputRecords.js';

const LINES = 200_000;
/** Lines logged between two turns of the event loop: an application logs between its I/O, not in one loop. */
const BURST = 1000;
const RUNS = 5;
const context = { version: '1.4.0', commit: '0123456789abcdef0123456789abcdef01234567', bootId: '7f3c2a4e-8b1d-4c6a-9e2f-5d7b3a1c9e04' };

/** Logs LINES records through `write`, yielding to the event loop every BURST lines; resolves when `done` does. */
async function drive(write: (i: number) => void, done: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < LINES; i++) {
    write(i);
    if (i % BURST === BURST - 1) await yieldToLoop();
  }
  await done();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function ours(dir: string): Promise<{ seconds: number; bytes: number; dropped: number; rotations: number }> {
  // Production settings (composition.ts): 4 MiB files, gzip in the background, a 32 MiB folder.
  const file = await RotatingLogFile.open({ dir, stream: 'headsetd', maxFileBytes: 4 * 1024 * 1024, retention: { maxTotalBytes: 1024 * 1024 * 1024 } });
  // The production chain: every line passes the redaction check before the file (composition.ts).
  const logger = new Logger(context, [new RedactingLogSink([file])], 'info');
  const seconds = await drive(
    (i) => {
      const r = benchRecord(i);
      logger.log('info', r.subsystem, r.msg, r.fields);
    },
    () => file.whenWritten(),
  );
  await file.whenIdle();
  file.close();
  // The lines as written (rotated files gunzipped), to compare with pino's one file.
  const result = { seconds, bytes: uncompressedBytes(dir), dropped: file.dropped, rotations: file.rotations };
  return result;
}

async function pinoRun(dir: string): Promise<{ seconds: number; bytes: number }> {
  const dest = pino.destination({ dest: join(dir, 'pino.log'), sync: false, minLength: 4096 });
  const logger = pino(
    {
      base: context,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
  let seq = 0;
  const seconds = await drive(
    (i) => {
      const r = benchRecord(i);
      logger.info({ subsystem: r.subsystem, seq: ++seq, fields: r.fields }, r.msg);
    },
    async () => {
      dest.end();
      await once(dest, 'close');
    },
  );
  return { seconds, bytes: folderBytes(dir) };
}

function uncompressedBytes(dir: string): number {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .reduce((sum, name) => {
      const raw = readFileSync(join(dir, name));
      return sum + (name.endsWith('.gz') ? gunzipSync(raw).length : raw.length);
    }, 0);
}

function folderBytes(dir: string): number {
  // lstat: the lock is a symbolic link; a file retention just removed counts nothing.
  return readdirSync(dir).reduce((sum, name) => sum + (lstatSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0), 0);
}

export const throughputVsPino: LoggingCase = {
  name: 'throughput',
  async run(work, log) {
    const oursRates: number[] = [];
    const pinoRates: number[] = [];
    let last: Awaited<ReturnType<typeof ours>> | undefined;
    let pinoBytes = 0;
    for (let run = 0; run < RUNS; run++) {
      // Alternate, each in a fresh folder, so both see the same machine state.
      const a = await ours(join(work, `ours-${run}`));
      const pinoDir = join(work, `pino-${run}`);
      mkdirSync(pinoDir);
      const b = await pinoRun(pinoDir);
      oursRates.push(LINES / a.seconds);
      pinoRates.push(LINES / b.seconds);
      last = a;
      pinoBytes = b.bytes;
      log(`run ${run + 1}: ours ${Math.round(LINES / a.seconds)} lines/s (${a.dropped} dropped, ${a.rotations} rotations), pino ${Math.round(LINES / b.seconds)} lines/s`);
    }
    const oursMedian = median(oursRates);
    const pinoMedian = median(pinoRates);
    const ratio = Math.round((oursMedian / pinoMedian) * 100) / 100;
    return [
      {
        name: 'Lines per second to a rotating file (Logger, redaction check, RotatingLogFile: 4 MiB files, gzip) vs pino to pino.destination',
        metric: `throughput ratio ours/pino, median of ${RUNS}`,
        value: ratio,
        unit: '×',
        goal: '≥ 1.0×',
        met: ratio >= 1 && last!.dropped === 0,
        details: {
          lines: LINES,
          burstBetweenEventLoopTurns: BURST,
          oursLinesPerSecond: Math.round(oursMedian),
          pinoLinesPerSecond: Math.round(pinoMedian),
          oursBytes: last!.bytes,
          pinoBytes,
          oursDropped: last!.dropped,
          oursRotations: last!.rotations,
          pinoSettings: 'pino 10, pino.destination({ sync: false, minLength: 4096 }), isoTime timestamps, level labels, base {version, commit, bootId}',
          oursSettings: 'lines buffered (8 MiB bound) and written asynchronously one write at a time, each write taking everything buffered up to the room left in the file; rotation at 4 MiB; retention and gzip of rotated files in the background during the run (gzip not waited for)',
        },
      },
    ];
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
