import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HealthSnapshot } from '../../../src/api/contract.js';
import { sampleHealth } from '../../../test-support/api/samples.js';
import { SimulatedPageCache } from '../device/SimulatedPageCache.js';
import { useFileSync } from '../storage/fileSync.js';
import { HealthHistory } from './HealthHistory.js';

const dir = mkdtempSync(join(tmpdir(), 'health-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const MINUTE = 60_000;
const at = (ms: number, cpu = 10): HealthSnapshot => ({ ...sampleHealth(cpu), takenAt: new Date(ms).toISOString() });
const fileLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('HealthHistory', () => {
  it('keeps about one snapshot a minute, oldest first, and answers since/limit', async () => {
    const path = join(dir, 'a.jsonl');
    let now = T0;
    const history = new HealthHistory(path, { now: () => now });
    await history.load();
    // Snapshots every 3 s for 10 minutes: one a minute is kept.
    for (let t = 0; t <= 10 * MINUTE; t += 3000) {
      now = T0 + t;
      await history.offer(at(now, (t / 3000) % 100));
    }
    expect(history.size).toBe(11);
    const all = history.query();
    expect(all.map((s) => Date.parse(s.takenAt) - T0)).toEqual(Array.from({ length: 11 }, (_, i) => i * MINUTE));
    expect(history.query({ since: new Date(T0 + 5 * MINUTE).toISOString() }).map((s) => Date.parse(s.takenAt) - T0)).toEqual(
      [6, 7, 8, 9, 10].map((m) => m * MINUTE),
    );
    expect(history.query({ limit: 2 }).map((s) => Date.parse(s.takenAt) - T0)).toEqual([9 * MINUTE, 10 * MINUTE]);
    expect(fileLines(path)).toHaveLength(11);
  });

  it('survives a restart, and a torn last line from a power cut is skipped and rewritten away', async () => {
    const path = join(dir, 'b.jsonl');
    let now = T0;
    const first = new HealthHistory(path, { now: () => now });
    await first.load();
    for (let m = 0; m < 5; m++) {
      now = T0 + m * MINUTE;
      await first.offer(at(now, m));
    }
    // The cut: half a line at the end.
    appendFileSync(path, JSON.stringify(at(T0 + 5 * MINUTE)).slice(0, 40));
    const second = new HealthHistory(path, { now: () => now });
    await second.load();
    expect(second.skipped).toBe(1);
    expect(second.query().map((s) => s.cpuLoadPercent)).toEqual([0, 1, 2, 3, 4]);
    expect(fileLines(path)).toHaveLength(5);
    now = T0 + 6 * MINUTE;
    await second.offer(at(now, 6));
    const third = new HealthHistory(path, { now: () => now });
    await third.load();
    expect(third.skipped).toBe(0);
    expect(third.query().map((s) => s.cpuLoadPercent)).toEqual([0, 1, 2, 3, 4, 6]);
  });

  it('enforces retention by age in memory and on disk, compacting the file as it grows', async () => {
    const path = join(dir, 'c.jsonl');
    let now = T0;
    // One sample a minute kept for 20 minutes: at most 21 live samples.
    const history = new HealthHistory(path, { now: () => now, retentionMs: 20 * MINUTE });
    await history.load();
    for (let m = 0; m < 100; m++) {
      now = T0 + m * MINUTE;
      await history.offer(at(now, m % 100));
    }
    await history.idle();
    expect(history.size).toBe(21);
    expect(Date.parse(history.query()[0]!.takenAt)).toBe(now - 20 * MINUTE);
    // The file is compacted once it holds twice the live samples (at least 64 lines): bounded.
    expect(fileLines(path).length).toBeLessThanOrEqual(65);
    expect(fileLines(path).length).toBeLessThan(100);
    // A restart much later finds the expired samples gone, in memory and in the file.
    now += 10 * MINUTE;
    const reloaded = new HealthHistory(path, { now: () => now, retentionMs: 20 * MINUTE });
    await reloaded.load();
    expect(reloaded.size).toBe(11);
    expect(fileLines(path)).toHaveLength(11);
  });

  it('a cut in the middle of a compaction leaves the old file whole; the temporary file is cleaned up', async () => {
    const path = join(dir, 'e.jsonl');
    const lines = [0, 1, 2].map((m) => JSON.stringify(at(T0 + m * MINUTE, m))).join('\n') + '\n';
    writeFileSync(path, lines);
    // What writeFileAtomic leaves when the power goes before its rename: a partial temporary file.
    const leftover = join(dir, '.e.jsonl.0a1b2c3d4e5f.tmp');
    writeFileSync(leftover, lines.slice(0, 50));
    const history = new HealthHistory(path, { now: () => T0 + 3 * MINUTE });
    await history.load();
    expect(history.query().map((s) => s.cpuLoadPercent)).toEqual([0, 1, 2]);
    expect(existsSync(leftover)).toBe(false);
  });

  it('a power cut right after the first samples keeps them: the new file and its new folder are synced', async () => {
    const root = mkdtempSync(join(dir, 'cut-'));
    const path = join(root, 'state', 'health-history.jsonl');
    const cache = await SimulatedPageCache.attach(root);
    const restore = useFileSync(cache);
    try {
      const history = new HealthHistory(path, { now: () => T0 + 2 * MINUTE });
      await history.load();
      await history.offer(at(T0, 1));
      await history.offer(at(T0 + MINUTE, 2));
      await cache.cut('revert'); // the power goes: only what a completed fsync covered is left
    } finally {
      restore();
    }
    const reloaded = new HealthHistory(path, { now: () => T0 + 2 * MINUTE });
    await reloaded.load();
    expect(reloaded.query().map((s) => s.cpuLoadPercent)).toEqual([1, 2]);
  });

  it('skips lines that are not snapshots (corrupt file content) without failing', async () => {
    const path = join(dir, 'd.jsonl');
    writeFileSync(path, `not json\n${JSON.stringify({ takenAt: 'x' })}\n${JSON.stringify(at(T0))}\n`);
    const history = new HealthHistory(path, { now: () => T0 + MINUTE });
    await history.load();
    expect(history.skipped).toBe(2);
    expect(history.size).toBe(1);
  });
});
