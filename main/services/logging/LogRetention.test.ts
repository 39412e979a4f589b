import { describe, expect, it } from 'vitest';
import { parseLogFileName } from './logFiles.js';
import { planRetention, tempStreamOf, type FolderFile } from './LogRetention.js';

const file = (name: string, bytes: number): FolderFile => {
  const log = parseLogFileName(name);
  const tempStream = tempStreamOf(name);
  return { name, bytes, ...(log ? { log } : {}), ...(tempStream !== undefined ? { tempStream } : {}) };
};
const owner = (stream: string, reserveBytes: number) => ({ stream, pid: 1, start: 0, reserveBytes });
const now = Date.UTC(2026, 10, 22);
const base = { stream: 'headsetd', now, freeBytes: 1e12, blockBytes: 4096 };

describe('planRetention', () => {
  const files = [
    file('headsetd.20261101T000000000Z.log.gz', 100),
    file('electron.20261110T000000000Z.log.gz', 100),
    file('headsetd.20261120T000000000Z.log.gz', 100),
    file('headsetd.20261121T000000000Z.log', 1000),
    file('headsetd.log', 500),
    file('electron.log', 700),
  ];

  it('age and count apply to the own stream only', () => {
    const plan = planRetention({ ...base, files, owners: [], policy: { maxAgeMs: 14 * 86_400_000, maxRotatedFiles: 1 } });
    expect(plan.remove).toEqual(['headsetd.20261101T000000000Z.log.gz', 'headsetd.20261120T000000000Z.log.gz']);
    expect(plan.reason).toMatchObject({ 'headsetd.20261101T000000000Z.log.gz': 'age', 'headsetd.20261120T000000000Z.log.gz': 'count' });
  });

  it('the folder total counts live writers at their reserve and removes the oldest of any stream first', () => {
    // Rotated 1300 + dead-free active files covered by reserves 1000 + 1000 = 3300 > 3000.
    const plan = planRetention({ ...base, files, owners: [owner('headsetd', 1000), owner('electron', 1000)], policy: { maxTotalBytes: 3000 } });
    expect(plan.remove).toEqual([
      'headsetd.20261101T000000000Z.log.gz',
      'electron.20261110T000000000Z.log.gz',
      'headsetd.20261120T000000000Z.log.gz',
    ]);
    expect(plan.countedBytes).toBe(3000);
    // A writer that is gone counts at the size of its active file, not at a reserve.
    const without = planRetention({ ...base, files, owners: [owner('headsetd', 1000)], policy: { maxTotalBytes: 3000 } });
    expect(without.remove).toEqual([]);
    expect(without.countedBytes).toBe(1300 + 1000 + 700);
  });

  it('low free space removes the oldest rotated files until enough is free; active files are never removed', () => {
    const plan = planRetention({ ...base, files, owners: [], freeBytes: 0, policy: { minFreeBytes: 3 * 4096 } });
    expect(plan.remove).toEqual([
      'headsetd.20261101T000000000Z.log.gz',
      'electron.20261110T000000000Z.log.gz',
      'headsetd.20261120T000000000Z.log.gz',
    ]);
    const all = planRetention({ ...base, files, owners: [], freeBytes: 0, policy: { minFreeBytes: 1e9 } });
    expect(all.remove).not.toContain('headsetd.log');
    expect(all.remove).toHaveLength(4);
  });

  it('a compression left by a dead writer is stale; a live one is covered by its reserve', () => {
    const temp = [...files, file('.electron.20261110T000000000Z.log.gz.tmp', 50)];
    expect(planRetention({ ...base, files: temp, owners: [], policy: {} }).remove).toEqual(['.electron.20261110T000000000Z.log.gz.tmp']);
    expect(planRetention({ ...base, files: temp, owners: [owner('electron', 10)], policy: {} }).remove).toEqual([]);
  });
});
