import { appendFileSync, mkdtempSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLogLine } from '../../../src/logging/logRecord.js';
import { LogAnalysisService } from './LogAnalysisService.js';
import { LogArchive } from './LogArchive.js';
import { entry, writeLogFolder } from '../../../test-support/logging/logTestFiles.js';

// The UI asks for a summary again and again while the active file grows: each line is mined once,
// so the counts are the lines and the miner's memory follows the folder, not the number of asks.

const root = mkdtempSync(join(tmpdir(), 'log-analysis-growth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const t0 = Date.UTC(2026, 3, 1, 0, 0);
const line = (i: number) => formatLogLine(entry(t0 + i * 1000, 'info', 'gps', `GPS locked with ${i % 9} satellites`, { seq: i }));

describe('LogAnalysisService over a growing log', () => {
  it('counts each line once across repeated summaries of a growing active file', async () => {
    const dir = join(root, 'grow');
    writeLogFolder(dir, [{ name: 'headsetd.20260331T000000000Z.log.gz', records: [entry(t0 - 5000, 'warn', 'update', 'download stalled for 3 s')] }]);
    const active = join(dir, 'headsetd.log');
    const service = new LogAnalysisService(new LogArchive(dir));
    let written = 0;
    for (let round = 0; round < 5; round++) {
      // A line being written (no newline yet) waits for the next pass, which sees it whole.
      if (round === 3) appendFileSync(active, line(written++).slice(30));
      for (let i = 0; i < 40; i++) appendFileSync(active, line(written++));
      if (round === 2) appendFileSync(active, line(written).slice(0, 30));
      const summary = await service.summary({
        since: new Date(t0 - 60_000).toISOString(),
        until: new Date(t0 + 3_600_000).toISOString(),
        bucketCount: 10,
      });
      const gps = summary.topTemplates.find((t) => t.subsystem === 'gps')!;
      expect(gps.count).toBe(written);
      expect(summary.entries).toBe(written + 1);
      expect(service.stats().minedLines).toBe(written + 1);
    }
    expect(service.stats().templates).toBe(2);
  });

  it('starts again from the files there are when a mined file leaves (rotation, retention)', async () => {
    const dir = join(root, 'rotate');
    writeLogFolder(dir, [{ name: 'headsetd.20260331T000000000Z.log', records: [entry(t0 - 5000, 'warn', 'update', 'download stalled for 3 s')] }]);
    const active = join(dir, 'headsetd.log');
    const service = new LogAnalysisService(new LogArchive(dir));
    for (let i = 0; i < 30; i++) appendFileSync(active, line(i));
    const range = { since: new Date(t0 - 60_000).toISOString(), until: new Date(t0 + 3_600_000).toISOString(), bucketCount: 10 };
    expect((await service.summary(range)).entries).toBe(31);
    // Rotation: the active file is renamed, a new one starts.
    renameSync(active, join(dir, 'headsetd.20260401T000100000Z.log'));
    for (let i = 30; i < 35; i++) appendFileSync(active, line(i));
    expect((await service.summary(range)).entries).toBe(36);
    expect(service.stats().minedLines).toBe(36);
    // Retention removes the oldest file: its lines and its template go.
    unlinkSync(join(dir, 'headsetd.20260331T000000000Z.log'));
    const after = await service.summary(range);
    expect(after.entries).toBe(35);
    expect(after.topTemplates.map((t) => t.subsystem)).toEqual(['gps']);
    expect(service.stats()).toEqual({ minedLines: 35, templates: 1 });
  });
});
