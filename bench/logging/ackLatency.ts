import { fdatasyncSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { LogWriteBudget } from '../../src/logging/logWriteBudget.js';
import { CrashRecorder } from '../../main/services/logging/CrashRecorder.js';
import { Logger } from '../../main/services/logging/Logger.js';
import { RecentLines } from '../../main/services/logging/RecentLines.js';
import { RotatingLogFile } from '../../main/services/logging/RotatingLogFile.js';
import { UiLogWriter } from '../../main/services/logging/UiLogWriter.js';
import { RedactingLogSink } from '../../main/services/telemetry/RedactingLogSink.js';
import { percentile } from '../harness.js';
import type { LoggingCase } from './index.js';
import { benchRecord } from './throughputRecords.js';

/** Batches per run, of the most entries a logs.write takes. */
const BATCHES = 500;
const BATCH = 50;
const RUNS = 5;
const context = { version: '1.4.0', commit: '0123456789abcdef0123456789abcdef01234567', bootId: '7f3c2a4e-8b1d-4c6a-9e2f-5d7b3a1c9e04' };

type Level = 'info' | 'error';

/** The entries of batch `b`: what a renderer sends (message and small fields of the logging mix). */
function batch(b: number, level: Level) {
  return Array.from({ length: BATCH }, (_, i) => {
    const r = benchRecord(b * BATCH + i);
    return { level, msg: r.msg, fields: r.fields };
  });
}

type Writer = { write(b: number): Promise<void> | void; close(): Promise<void> | void };

/** Ours: logs.write's handler on the production chain (composition.ts), each batch awaited until it is answered. */
async function ours(dir: string, level: Level): Promise<Writer> {
  const file = await RotatingLogFile.open({
    dir,
    stream: 'headsetd',
    maxFileBytes: 4 * 1024 * 1024,
    retention: { maxTotalBytes: 1024 * 1024 * 1024 },
  });
  const recent = new RecentLines();
  const logger = new Logger(context, [new RedactingLogSink([file, recent])], 'info');
  const crashes = new CrashRecorder(join(dir, 'crashes'), {
    version: context.version,
    commit: context.commit,
    bootId: () => context.bootId,
    recentLines: () => [],
    lastHealth: () => undefined,
  });
  // The budget is not what is measured.
  const ui = new UiLogWriter(logger, crashes, { budget: new LogWriteBudget({ burst: 1e9, perSecond: 1e9 }) });
  return {
    write: async (b) => {
      await ui.write({ process: 'renderer', entries: batch(b, level) }, 'bench');
    },
    close: () => file.closeAsync(),
  };
}

/**
 * The reference: pino writing the same entries with sync: true (each write(2) returns before the
 * next line); for error entries, one fdatasync of its file after the batch as well.
 */
function pinoSync(dir: string, level: Level): Writer {
  const dest = pino.destination({ dest: join(dir, 'pino.log'), sync: true });
  const logger = pino({ base: context, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, dest).child({
    subsystem: 'ui',
  });
  return {
    write: (b) => {
      for (const entry of batch(b, level)) logger[level]({ fields: { ...entry.fields, process: 'renderer' } }, entry.msg);
      if (level === 'error') fdatasyncSync((dest as unknown as { fd: number }).fd);
    },
    close: () => dest.end(),
  };
}

/** Ours as it was: the entries logged and the call answered at once, the lines written later (no guarantee). */
function unacknowledged(dir: string): Promise<Writer> {
  return RotatingLogFile.open({ dir, stream: 'headsetd', maxFileBytes: 4 * 1024 * 1024, retention: { maxTotalBytes: 1024 * 1024 * 1024 } }).then(
    (file) => {
      const logger = new Logger(context, [new RedactingLogSink([file, new RecentLines()])], 'info');
      return {
        write: (b) => {
          for (const entry of batch(b, 'info')) logger.log('info', 'ui', entry.msg, { ...entry.fields, process: 'renderer' });
        },
        close: () => file.closeAsync(),
      };
    },
  );
}

/**
 * Runs the writers batch by batch, in turn, so that all see the same machine load, and in an order
 * that rotates every batch: an fdatasync on ext4 also commits what was written just before it, so
 * each writer follows each other equally often. Milliseconds per batch, sorted.
 */
async function interleaved(writers: Writer[]): Promise<number[][]> {
  const times = writers.map(() => [] as number[]);
  for (let b = 0; b < BATCHES; b++) {
    for (let k = 0; k < writers.length; k++) {
      const i = (k + b) % writers.length;
      const start = process.hrtime.bigint();
      await writers[i]!.write(b);
      times[i]!.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  for (const writer of writers) await writer.close();
  return times.map((t) => t.sort((x, y) => x - y));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

export const ackLatency: LoggingCase = {
  name: 'ack',
  async run(work, log) {
    const kinds = ['oursInfo', 'oursError', 'pinoInfo', 'pinoError', 'unacknowledged'] as const;
    const medians = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<(typeof kinds)[number], number[]>;
    const p99s = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<(typeof kinds)[number], number[]>;
    for (let run = 0; run < RUNS; run++) {
      const folder = (name: string) => {
        const dir = join(work, `${name}-${run}`);
        mkdirSync(dir);
        return dir;
      };
      const writers = [
        await ours(folder('ours-info'), 'info'),
        await ours(folder('ours-error'), 'error'),
        pinoSync(folder('pino-info'), 'info'),
        pinoSync(folder('pino-error'), 'error'),
        await unacknowledged(folder('unacknowledged')),
      ];
      const times = await interleaved(writers);
      kinds.forEach((kind, i) => {
        medians[kind].push(percentile(times[i]!, 50));
        p99s[kind].push(percentile(times[i]!, 99));
      });
      const ms = (i: number) => round(percentile(times[i]!, 50));
      log(
        `run ${run + 1}: info batch answered in ${ms(0)} ms (pino sync ${ms(2)} ms; answered at once, as before, ${ms(4)} ms), error batch in ${ms(1)} ms (pino sync + fdatasync ${ms(3)} ms)`,
      );
    }
    const m = (kind: (typeof kinds)[number]) => round(median(medians[kind]));
    const p99 = (kind: (typeof kinds)[number]) => round(median(p99s[kind]));
    const infoRatio = round(m('oursInfo') / m('pinoInfo'), 2);
    const errorRatio = round(m('oursError') / m('pinoError'), 2);
    const name = `logs.write answered once its ${BATCH} entries are safe (logged through the production chain: redaction check, rotating file)`;
    const common = {
      batches: BATCHES,
      entriesPerBatch: BATCH,
      runs: RUNS,
      pinoSettings:
        'pino 10, pino.destination({ sync: true }): one write(2) per entry, returned before the next; isoTime, level labels, base {version, commit, bootId}',
    };
    return [
      {
        name: `${name}; info: written to the kernel, vs pino sync: true writing the same entries`,
        metric: "time per batch ratio ours/pino (lower is better), median of the runs' medians",
        value: infoRatio,
        unit: '×',
        goal: '≤ 2.0×',
        met: infoRatio <= 2,
        details: {
          ...common,
          oursMedianMs: m('oursInfo'),
          oursP99Ms: p99('oursInfo'),
          pinoMedianMs: m('pinoInfo'),
          pinoP99Ms: p99('pinoInfo'),
          answeredAtOnceMedianMs: m('unacknowledged'),
        },
      },
      {
        name: `${name}; error: fdatasync'd, vs pino sync: true writing the same entries and one fdatasync after them`,
        metric: "time per batch ratio ours/pino (lower is better), median of the runs' medians",
        value: errorRatio,
        unit: '×',
        goal: '≤ 1.5×',
        met: errorRatio <= 1.5,
        details: { ...common, oursMedianMs: m('oursError'), oursP99Ms: p99('oursError'), pinoMedianMs: m('pinoError'), pinoP99Ms: p99('pinoError') },
      },
    ];
  },
};
