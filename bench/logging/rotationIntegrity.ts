import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { Logger } from '../../main/services/logging/Logger.js';
import { RotatingLogFile } from '../../main/services/logging/RotatingLogFile.js';
import type { BenchResult } from '../harness.js';
import type { LoggingCase } from './index.js';
import { benchRecord } from './throughputRecords.js';

const LINES = 500_000;
const BURST = 1000;

/**
 * Lines lost or duplicated across rotation at full speed: LINES records through the Logger into a
 * RotatingLogFile rotating at 1 MiB (about 100 rotations, each file gzipped in the background while
 * the next fills), then every file read back and every sequence number counted.
 */
export const rotationIntegrity: LoggingCase = {
  name: 'rotation',
  async run(work, log) {
    const file = await RotatingLogFile.open({ dir: work, stream: 'headsetd', maxFileBytes: 1024 * 1024 });
    const logger = new Logger({ version: '1.4.0', commit: 'abc', bootId: 'boot' }, [file], 'info');
    const start = process.hrtime.bigint();
    for (let i = 0; i < LINES; i++) {
      const r = benchRecord(i);
      logger.log('info', r.subsystem, r.msg, r.fields);
      if (i % BURST === BURST - 1) await yieldToLoop();
    }
    await file.whenWritten();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await file.whenIdle();
    file.close();

    const seen = new Uint8Array(LINES + 1);
    let lines = 0;
    let duplicated = 0;
    const names = readdirSync(work).filter((name) => !name.startsWith('.'));
    for (const name of names) {
      const raw = readFileSync(join(work, name));
      for (const line of (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').split('\n')) {
        if (!line) continue;
        const seq = (JSON.parse(line) as { seq: number }).seq;
        lines++;
        if (seen[seq]) duplicated++;
        seen[seq] = 1;
      }
    }
    const lost = LINES - (lines - duplicated);
    log(
      `${LINES} lines in ${seconds.toFixed(2)} s across ${file.rotations} rotations, ${names.length} files: ${lost} lost (${file.dropped} dropped by the buffer), ${duplicated} duplicated`,
    );
    const result = (metric: string, value: number): BenchResult => ({
      name: 'Lines across rotation at full speed (1 MiB files, gzip in the background)',
      metric,
      value,
      unit: 'lines',
      goal: '0',
      met: value === 0,
      details: {
        lines: LINES,
        rotations: file.rotations,
        files: names.length,
        droppedByBuffer: file.dropped,
        linesPerSecond: Math.round(LINES / seconds),
      },
    });
    return [result('lost', lost), result('duplicated', duplicated)];
  },
};
