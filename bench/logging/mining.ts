import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { once } from 'node:events';
import { LogAnalysisService } from '../../main/services/logging/LogAnalysisService.js';
import { LogArchive, parseLogLine } from '../../main/services/logging/LogArchive.js';
import { DrainMiner } from '../../src/logging/drain.js';
import { formatLogLine, type LogLevel, type LogRecord, type Subsystem } from '../../src/logging/logRecord.js';
import type { BenchResult } from '../harness.js';
import type { LoggingCase } from './index.js';
import { seededRandom } from '../../src/seededRandom.js';

/**
 * Template mining and a filtered query over one million log lines in our Logger's format (a week
 * of a headset: GPS locks, downloads, API calls, health, errors with ids, paths and addresses).
 *
 *   mining   LogAnalysisService.summary from cold (read, parse, Drain, columns), in lines/s; goal
 *            ≥ 200k/s; and the same against a bare read + JSON.parse pass over the file (ratio)
 *   drain    the Drain miner alone on the messages, lines/s
 *   query    levels + subsystem + text over the file, newest 100 first; goal < 1 s; against
 *            `grep -c -i TEXT` on the same file (ratio)
 */
const LINES = 1_000_000;
const WEEK = 7 * 24 * 3_600_000;

type Make = (i: number, r: () => number) => { level: LogLevel; subsystem: Subsystem; msg: string; fields?: Record<string, unknown> };

const pick = <T>(r: () => number, list: readonly T[]) => list[Math.floor(r() * list.length)]!;
const hex = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');

const MESSAGES: [weight: number, make: Make][] = [
  [
    20,
    (_i, r) => ({
      level: 'debug',
      subsystem: 'health',
      msg: `snapshot cpu ${(r() * 100).toFixed(1)}% temperature ${(35 + r() * 30).toFixed(1)} C memory ${Math.floor(r() * 4e9)} bytes`,
    }),
  ],
  [
    12,
    (_i, r) => ({
      level: 'info',
      subsystem: 'api',
      msg: `call ${pick(r, ['system.info', 'health.snapshot', 'update.status', 'logs.query', 'boot.status'])} answered in ${Math.floor(r() * 40)} ms`,
      fields: { connection: `ws 127.0.0.1:${40000 + Math.floor(r() * 20000)}` },
    }),
  ],
  [
    10,
    (_i, r) => ({
      level: 'info',
      subsystem: 'update',
      msg: `download progress ${Math.floor(r() * 5e7)} of 52428800 bytes at ${Math.floor(r() * 3e6)} B/s`,
    }),
  ],
  [
    8,
    (_i, r) => {
      const ms = Math.floor(2000 + r() * 9000);
      return {
        level: 'info',
        subsystem: 'gps',
        msg: `GPS locked with ${4 + Math.floor(r() * 9)} satellites after ${ms} ms`,
        fields: { timeToLockMs: ms },
      };
    },
  ],
  [
    8,
    (_i, r) => ({
      level: 'info',
      subsystem: 'network',
      msg: `link ${pick(r, ['wlan0', 'eth0'])} changed to ${pick(r, ['online', 'metered', 'offline'])} address ${10 + Math.floor(r() * 200)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`,
    }),
  ],
  [
    6,
    (_i, r) => ({
      level: 'debug',
      subsystem: 'imu',
      msg: `calibration drift on axis ${pick(r, ['x', 'y', 'z'])} is ${(r() * 0.01).toFixed(4)} deg/s`,
    }),
  ],
  [
    5,
    (_i, r) => ({
      level: 'info',
      subsystem: 'ui',
      msg: `screen ${pick(r, ['home', 'updates', 'privacy', 'logs'])} opened by session ${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`,
    }),
  ],
  [
    4,
    (_i, r) => ({
      level: 'warn',
      subsystem: 'update',
      msg: `download stalled for ${Math.floor(r() * 60)} s, retry ${1 + Math.floor(r() * 5)} in ${Math.floor(r() * 30000)} ms`,
    }),
  ],
  [
    3,
    (_i, r) => ({
      level: 'info',
      subsystem: 'system',
      msg: `log file /var/log/headset/headsetd.${Math.floor(r() * 1e9)}.log compressed to ${Math.floor(r() * 1e6)} bytes`,
    }),
  ],
  [2, (_i, r) => ({ level: 'warn', subsystem: 'health', msg: `temperature ${(70 + r() * 15).toFixed(1)} C above the warning threshold` })],
  [
    2,
    (_i, r) => ({
      level: 'error',
      subsystem: 'update',
      msg: `request to https://updates.example.com/targets/${hex(r, 16)}.hcb failed: timeout after ${Math.floor(r() * 30000)} ms`,
    }),
  ],
  [1, (_i, r) => ({ level: 'error', subsystem: 'led', msg: `LED controller at 0x${hex(r, 4)} did not answer, code ${Math.floor(r() * 255)}` })],
  [
    1,
    (_i, r) => ({
      level: 'info',
      subsystem: 'boot',
      msg: `slot ${pick(r, ['A', 'B'])} marked good after ${Math.floor(r() * 60)} s of health checks`,
    }),
  ],
];
const TOTAL_WEIGHT = MESSAGES.reduce((n, [w]) => n + w, 0);

async function writeLines(path: string, end: number): Promise<number> {
  const r = seededRandom(42); // every run mines the same lines
  const out = createWriteStream(path);
  const start = end - WEEK;
  let batch: string[] = [];
  let boot = 0;
  for (let i = 0; i < LINES; i++) {
    let w = r() * TOTAL_WEIGHT;
    let make = MESSAGES[0]![1];
    for (const [weight, m] of MESSAGES) {
      if ((w -= weight) < 0) {
        make = m;
        break;
      }
    }
    const e = make(i, r);
    if (i % 50_000 === 0) boot++;
    const record: LogRecord = {
      time: new Date(start + Math.floor((i / LINES) * WEEK)).toISOString(),
      level: e.level,
      subsystem: e.subsystem,
      msg: e.msg,
      version: i < LINES / 2 ? '1.3.2' : '1.4.0',
      commit: '4f2a9c1',
      bootId: `boot-${boot}`,
      seq: i,
      ...(e.fields ? { fields: e.fields } : {}),
    };
    batch.push(formatLogLine(record));
    if (batch.length === 10_000) {
      if (!out.write(batch.join(''))) await once(out, 'drain');
      batch = [];
    }
  }
  out.end(batch.join(''));
  await once(out, 'finish');
  return statSync(path).size;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export const mining: LoggingCase = {
  name: 'mining',
  async run(work, log): Promise<BenchResult[]> {
    const dir = join(work, 'logs');
    mkdirSync(dir);
    const file = join(dir, 'headsetd.log');
    const end = Date.now();
    const bytes = await writeLines(file, end);
    log(`${LINES} lines, ${round(bytes / 1e6, 1)} MB`);
    const archive = new LogArchive(dir);
    const [entry] = await archive.files();

    // Reference: read and JSON.parse every line, nothing else.
    let t = performance.now();
    let parsed = 0;
    await archive.forEachLine(entry!, (line) => {
      if (parseLogLine(line)) parsed++;
    });
    const parseSeconds = (performance.now() - t) / 1000;
    log(`read + JSON.parse: ${round(parseSeconds)} s (${parsed} entries)`);

    // Drain alone, on the messages already in memory.
    const messages: { msg: string; subsystem: string; level: LogLevel; time: string }[] = [];
    await archive.forEachLine(entry!, (line) => {
      const rec = parseLogLine(line)!;
      messages.push({ msg: rec.msg, subsystem: rec.subsystem, level: rec.level, time: rec.time });
    });
    const miner = new DrainMiner();
    t = performance.now();
    for (const m of messages) miner.add(m.msg, m.subsystem, m.level, m.time);
    const drainSeconds = (performance.now() - t) / 1000;
    messages.length = 0;
    log(`Drain alone: ${round(drainSeconds)} s, ${miner.templates().length} templates`);

    // The service, cold: everything a first summary does.
    const service = new LogAnalysisService(archive);
    t = performance.now();
    const summary = await service.summary({ since: new Date(end - WEEK).toISOString(), until: new Date(end + 1).toISOString(), bucketCount: 168 });
    const summarySeconds = (performance.now() - t) / 1000;
    log(
      `summary (cold): ${round(summarySeconds)} s, ${summary.topTemplates.length} top templates, ${summary.anomalies.length} anomalies, insights: ${summary.insights.map((i) => i.text).join(' | ')}`,
    );

    // The filtered query, and grep on the same file.
    const query = { levels: ['error' as const], subsystems: ['update' as const], text: 'timeout', limit: 100 };
    t = performance.now();
    const page = await service.query(query);
    const querySeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const grepCount = Number(execFileSync('grep', ['-c', '-i', 'timeout', file], { encoding: 'utf8' }).trim());
    const grepSeconds = (performance.now() - t) / 1000;
    log(
      `query: ${round(querySeconds, 3)} s (${page.entries.length} of ${page.scanned} scanned); grep -c -i: ${round(grepSeconds, 3)} s (${grepCount} lines)`,
    );

    const minedPerSecond = Math.round(LINES / summarySeconds);
    return [
      {
        name: 'logging/mining: summary of 1M lines (read, parse, Drain, columns)',
        metric: 'lines per second',
        value: minedPerSecond,
        unit: 'lines/s',
        goal: '≥ 200000 lines/s',
        met: minedPerSecond >= 200_000,
        details: { seconds: round(summarySeconds, 3), templates: summary.topTemplates.length, bytes },
      },
      {
        name: 'logging/mining: summary vs read + JSON.parse pass',
        metric: 'time ratio (lower is better)',
        value: round(summarySeconds / parseSeconds),
        unit: '×',
        goal: 'informative (parsing is the floor)',
        met: true,
        details: { parseSeconds: round(parseSeconds, 3) },
      },
      {
        name: 'logging/mining: Drain miner alone',
        metric: 'lines per second',
        value: Math.round(LINES / drainSeconds),
        unit: 'lines/s',
        goal: '≥ 200000 lines/s',
        met: LINES / drainSeconds >= 200_000,
        details: { templates: miner.templates().length },
      },
      {
        name: 'logging/mining: query error+update+"timeout" over 1M lines',
        metric: 'seconds',
        value: round(querySeconds, 3),
        unit: 's',
        goal: '< 1 s',
        met: querySeconds < 1,
        details: { matchedShown: page.entries.length, scanned: page.scanned },
      },
      {
        name: 'logging/mining: query vs grep -c -i on the same file',
        metric: 'time ratio (lower is better)',
        value: round(querySeconds / grepSeconds),
        unit: '×',
        goal: 'informative',
        met: true,
        details: { grepSeconds: round(grepSeconds, 3), grepLines: grepCount },
      },
    ];
  },
};
