import { once } from 'node:events';
import { lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import pino from 'pino';
import { Logger } from '../../main/services/logging/Logger.js';
import { RotatingLogFile } from '../../main/services/logging/RotatingLogFile.js';
import { RedactingLogSink } from '../../main/services/telemetry/RedactingLogSink.js';
import { SecretRegistry } from '../../src/secrets/SecretRegistry.js';
import { seededRandom } from '../../src/seededRandom.js';
import type { BenchResult } from '../harness.js';
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

/** The secrets registered while the benchmark runs: the main figure's 8, and many (the sampled-gram filter). */
const SECRETS = 8;
const MANY_SECRETS = 32;

/**
 * Secrets like a headset's: keys and tokens as hex and base64 (32 to 64 bytes), Wi-Fi passwords
 * and passphrases of 8 to 30 characters with symbols, so the shortest sets the filter's stride.
 */
function registeredSecrets(count: number): SecretRegistry {
  const random = seededRandom(count);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  const printable = (n: number) => Array.from({ length: n }, () => String.fromCharCode(33 + Math.floor(random() * 94))).join('');
  const secrets = new SecretRegistry();
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    const value =
      kind === 0
        ? bytes(32).toString('hex')
        : kind === 1
          ? bytes(64).toString('base64')
          : kind === 2
            ? printable(8 + (i % 13))
            : `${printable(10)} ${printable(19)}`;
    secrets.register(value, `bench secret ${i}`);
  }
  return secrets;
}

async function ours(dir: string, secrets: SecretRegistry): Promise<{ seconds: number; bytes: number; dropped: number; rotations: number }> {
  // Production settings (composition.ts): 4 MiB files, gzip in the background, a 32 MiB folder.
  const file = await RotatingLogFile.open({
    dir,
    stream: 'headsetd',
    maxFileBytes: 4 * 1024 * 1024,
    retention: { maxTotalBytes: 1024 * 1024 * 1024 },
  });
  // The production chain: every line passes the redaction check (patterns and the registered
  // secrets' values) before the file (composition.ts).
  const logger = new Logger(context, [new RedactingLogSink([file], secrets)], 'info');
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
    const manyRates: number[] = [];
    const pinoRates: number[] = [];
    let last: Awaited<ReturnType<typeof ours>> | undefined;
    let lastMany: Awaited<ReturnType<typeof ours>> | undefined;
    let pinoBytes = 0;
    const secrets = registeredSecrets(SECRETS);
    const many = registeredSecrets(MANY_SECRETS);
    for (let run = 0; run < RUNS; run++) {
      // Alternate, each in a fresh folder, so all see the same machine state.
      const a = await ours(join(work, `ours-${run}`), secrets);
      const m = await ours(join(work, `many-${run}`), many);
      const pinoDir = join(work, `pino-${run}`);
      mkdirSync(pinoDir);
      const b = await pinoRun(pinoDir);
      oursRates.push(LINES / a.seconds);
      manyRates.push(LINES / m.seconds);
      pinoRates.push(LINES / b.seconds);
      last = a;
      lastMany = m;
      pinoBytes = b.bytes;
      log(
        `run ${run + 1}: ours ${Math.round(LINES / a.seconds)} lines/s (${a.dropped} dropped, ${a.rotations} rotations), with ${MANY_SECRETS} secrets ${Math.round(LINES / m.seconds)} lines/s, pino ${Math.round(LINES / b.seconds)} lines/s`,
      );
    }
    const oursMedian = median(oursRates);
    const manyMedian = median(manyRates);
    const pinoMedian = median(pinoRates);
    const ratio = Math.round((oursMedian / pinoMedian) * 100) / 100;
    const manyRatio = Math.round((manyMedian / pinoMedian) * 100) / 100;
    const results: BenchResult[] = [
      {
        name: `Lines per second to a rotating file (Logger, redaction check with ${SECRETS} registered secrets, RotatingLogFile: 4 MiB files, gzip) vs pino to pino.destination`,
        metric: `throughput ratio ours/pino, median of ${RUNS}`,
        value: ratio,
        unit: '×',
        goal: '≥ 1.0×',
        met: ratio >= 1 && last!.dropped === 0,
        details: {
          lines: LINES,
          burstBetweenEventLoopTurns: BURST,
          registeredSecrets: SECRETS,
          oursLinesPerSecond: Math.round(oursMedian),
          pinoLinesPerSecond: Math.round(pinoMedian),
          oursBytes: last!.bytes,
          pinoBytes,
          oursDropped: last!.dropped,
          oursRotations: last!.rotations,
          pinoSettings:
            'pino 10, pino.destination({ sync: false, minLength: 4096 }), isoTime timestamps, level labels, base {version, commit, bootId}',
          oursSettings:
            'lines buffered (8 MiB bound) and written asynchronously one write at a time, each write taking everything buffered up to the room left in the file; rotation at 4 MiB; retention and gzip of rotated files in the background during the run (gzip not waited for)',
        },
      },
      {
        name: `The same with ${MANY_SECRETS} registered secrets (past the per-secret indexOf anchors: the sampled-gram filter)`,
        metric: `throughput ratio ours/pino, median of ${RUNS}`,
        value: manyRatio,
        unit: '×',
        goal: '≥ 1.0×',
        met: manyRatio >= 1 && lastMany!.dropped === 0,
        details: {
          registeredSecrets: MANY_SECRETS,
          oursLinesPerSecond: Math.round(manyMedian),
          pinoLinesPerSecond: Math.round(pinoMedian),
          oursDropped: lastMany!.dropped,
        },
      },
    ];
    return results;
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
