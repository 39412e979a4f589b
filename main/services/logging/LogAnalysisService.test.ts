import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLogLine, type LogRecord } from '../../../src/logging/logRecord.js';
import { LogAnalysisService } from './LogAnalysisService.js';
import { LogArchive } from './LogArchive.js';
import { entry, writeLogFolder } from '../../../test-support/logging/logTestFiles.js';

const root = mkdtempSync(join(tmpdir(), 'log-analysis-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const H = 3_600_000;
const t0 = Date.UTC(2026, 2, 1, 0, 0);

/** 12 hours over two versions: GPS locks 3x slower on 1.4.0, an update error burst at the end, three boots. */
function history(): { rotated: LogRecord[]; active: LogRecord[] } {
  const rotated: LogRecord[] = [];
  const active: LogRecord[] = [];
  let seq = 0;
  for (let m = 0; m < 12 * 60; m += 5) {
    const version = m < 6 * 60 ? '1.3.2' : '1.4.0';
    const bootId = m < 3 * 60 ? 'boot-a' : m < 6 * 60 ? 'boot-b' : 'boot-c';
    const into = m < 6 * 60 ? rotated : active;
    const t = t0 + m * 60_000;
    into.push(
      entry(t, 'info', 'gps', `GPS locked with ${5 + (m % 4)} satellites`, {
        version,
        bootId,
        seq: ++seq,
        fields: { timeToLockMs: (version === '1.3.2' ? 4000 : 12000) + (m % 7) * 50 },
      }),
    );
    into.push(entry(t + 1000, 'debug', 'health', `cpu ${m % 90}% temperature ${40 + (m % 5)} C`, { version, bootId, seq: ++seq }));
    if (m % 60 === 0) into.push(entry(t + 2000, 'warn', 'update', `download stalled for ${m % 50} s`, { version, bootId, seq: ++seq }));
  }
  for (let i = 0; i < 60; i++)
    active.push(
      entry(t0 + 11 * H + 30 * 60_000 + i * 20_000, 'error', 'update', `install failed: slot B read back ${i * 4096} bytes short`, {
        version: '1.4.0',
        bootId: 'boot-c',
        seq: ++seq,
      }),
    );
  return { rotated, active };
}

describe('LogAnalysisService', () => {
  const dir = join(root, 'logs');
  const { rotated, active } = history();
  writeLogFolder(dir, [
    { name: 'headsetd.20260301T060000000Z.log.gz', records: [...rotated, 'not json at all', '{"time":"x"}'] },
    { name: 'headsetd.log', records: active },
  ]);
  const service = new LogAnalysisService(new LogArchive(dir));

  it('answers a filtered query newest first across rotated (gzip) and active files, page by page', async () => {
    const first = await service.query({ levels: ['warn'], subsystems: ['update'], limit: 5 });
    // Written at minutes 660, 600, 540, 480, 420 (the newest hours).
    expect(first.entries.map((e) => e.msg)).toEqual([660, 600, 540, 480, 420].map((m) => `download stalled for ${m % 50} s`));
    expect(first.truncated).toBe(true);
    expect(first.scanned).toBe(rotated.length + active.length + 2);
    const second = await service.query({ levels: ['warn'], subsystems: ['update'], limit: 50, before: first.nextCursor! });
    expect(second.entries).toHaveLength(12 - 5);
    expect(second.truncated).toBe(false);
    expect(second.nextCursor).toBeNull();
    expect(second.entries.at(-1)!.time).toBe(new Date(t0 + 2000).toISOString());
  });

  it('filters by time range and text (field=value too), and counts lines that are not entries', async () => {
    const range = await service.query({
      since: new Date(t0 + H).toISOString(),
      until: new Date(t0 + 2 * H).toISOString(),
      text: 'gps locked',
      limit: 500,
    });
    expect(range.entries).toHaveLength(12);
    expect(range.malformed).toBe(0); // rejected on the raw line before parsing
    const all = await service.query({ text: 'timeToLockMs=12300', limit: 500 });
    expect(all.entries.every((e) => e.fields?.timeToLockMs === 12300)).toBe(true);
    expect(all.entries.length).toBeGreaterThan(0);
    expect((await service.query({ limit: 1 })).malformed).toBe(2);
  });

  it('summarises a range: level timeline, top templates, the burst, and insights in plain words', async () => {
    const summary = await service.summary({ since: new Date(t0).toISOString(), until: new Date(t0 + 12 * H).toISOString(), bucketCount: 24 });
    expect(summary.timeline).toHaveLength(24);
    expect(summary.timeline.reduce((n, b) => n + b.counts.info + b.counts.debug + b.counts.warn + b.counts.error, 0)).toBe(
      rotated.length + active.length,
    );
    expect(summary.timeline[23]!.counts.error).toBe(60);
    expect(summary.malformed).toBe(2);
    const templates = summary.topTemplates.map((t) => `${t.subsystem}: ${t.template}`);
    expect(templates).toContain('gps: GPS locked with <num> satellites');
    expect(templates).toContain('health: cpu <num> temperature <num> C');
    expect(templates).toContain('update: install failed: slot B read back <num> bytes short');
    expect(summary.topTemplates[0]!.count).toBe(144);
    expect(summary.anomalies[0]).toMatchObject({ kind: 'new-error', template: 'install failed: slot B read back <num> bytes short', observed: 60 });
    const insights = summary.insights.map((i) => i.text);
    expect(insights).toContain('GPS time-to-lock is 2.9× slower since 1.4.0');
    expect(insights).toContain('The headset started 3 times in the last 12 hours');
    expect(insights).toContain('Errors in updates rose from 0/h to 20/h');
  });

  it('re-reads only the active file when it grows; rotated files come from the cache', async () => {
    const before = await service.summary({ bucketCount: 10 });
    appendFileSync(
      join(dir, 'headsetd.log'),
      formatLogLine(entry(t0 + 12 * H - 1000, 'fatal', 'update', 'uncaught exception: boom', { version: '1.4.0', bootId: 'boot-c' })),
    );
    // A rotated file changed behind our back would be a bug elsewhere; corrupt it to prove it is not re-read.
    const gz = join(dir, 'headsetd.20260301T060000000Z.log.gz');
    writeFileSync(gz, Buffer.alloc(statSync(gz).size, 0x21));
    const after = await service.summary({ bucketCount: 10 });
    expect(after.entries).toBe(before.entries + 1);
    expect(after.insights.map((i) => i.text)).toContain('The services crashed once, in updates');
  });
});
