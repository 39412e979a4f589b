import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listLogFiles, parseLogFileName, rotatedFileName, rotationStamp, stampTime } from './logFiles.js';

const dir = mkdtempSync(join(tmpdir(), 'log-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('log file names', () => {
  it('stamps rotations in UTC, sortable as text, and reads the stamp back', () => {
    const time = Date.UTC(2026, 10, 22, 9, 5, 7, 42);
    expect(rotationStamp(time)).toBe('20261122T090507042Z');
    expect(stampTime(rotationStamp(time))).toBe(time);
    expect(rotatedFileName('headsetd', '20261122T090507042Z', 2, true)).toBe('headsetd.20261122T090507042Z-2.log.gz');
  });

  it('parses active, rotated and compressed names, and refuses temporary and foreign files', () => {
    expect(parseLogFileName('headsetd.log')).toEqual({ stream: 'headsetd', n: 0, compressed: false, active: true });
    expect(parseLogFileName('electron.20261122T090507042Z-3.log.gz')).toEqual({
      stream: 'electron',
      stamp: '20261122T090507042Z',
      n: 3,
      compressed: true,
      active: false,
    });
    expect(parseLogFileName('.headsetd.20261122T090507042Z.log.gz.tmp')).toBeUndefined();
    expect(parseLogFileName('.lock')).toBeUndefined();
    expect(parseLogFileName('crash.json')).toBeUndefined();
    expect(parseLogFileName('a.b.log')).toBeUndefined();
  });
});

describe('listLogFiles', () => {
  it('lists every stream oldest to newest with the active file last, sizes included', async () => {
    const files: Record<string, string> = {
      'headsetd.log': 'active\n',
      'headsetd.20261122T100000000Z.log.gz': 'gz',
      'headsetd.20261121T100000000Z.log.gz': 'older',
      'headsetd.20261122T100000000Z-1.log': 'same stamp, later',
      'electron.log': '',
      'electron.20261120T000000000Z.log': 'e',
      '.headsetd.20261122T110000000Z.log.gz.tmp': 'temporary',
      '.lock': '123',
      'notes.txt': 'foreign',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    mkdirSync(join(dir, 'sub.log'));
    const listed = await listLogFiles(dir);
    expect(listed.map((f) => [f.path.slice(dir.length + 1), f.stream, f.compressed, f.active, f.bytes])).toEqual([
      ['electron.20261120T000000000Z.log', 'electron', false, false, 1],
      ['electron.log', 'electron', false, true, 0],
      ['headsetd.20261121T100000000Z.log.gz', 'headsetd', true, false, 5],
      ['headsetd.20261122T100000000Z.log.gz', 'headsetd', true, false, 2],
      ['headsetd.20261122T100000000Z-1.log', 'headsetd', false, false, 17],
      ['headsetd.log', 'headsetd', false, true, 7],
    ]);
  });

  it('lists a file caught mid-compression once, as the compressed copy', async () => {
    const sub = mkdtempSync(join(dir, 'mid-'));
    writeFileSync(join(sub, 'headsetd.20261122T100000000Z.log'), 'plain');
    writeFileSync(join(sub, 'headsetd.20261122T100000000Z.log.gz'), 'gz');
    expect((await listLogFiles(sub)).map((f) => f.path.slice(sub.length + 1))).toEqual(['headsetd.20261122T100000000Z.log.gz']);
  });

  it('a missing folder has no log files', async () => {
    expect(await listLogFiles(join(dir, 'absent'))).toEqual([]);
  });
});
