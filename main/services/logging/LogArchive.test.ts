import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLogLine } from '../../../src/logging/logRecord.js';
import { LogArchive, parseLogLine } from './LogArchive.js';
import { entry } from '../../../test-support/logging/logTestFiles.js';

const dir = mkdtempSync(join(tmpdir(), 'log-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = Array.from({ length: 2000 }, (_, i) =>
  formatLogLine(entry(Date.UTC(2026, 0, 1) + i, 'info', 'system', `line ${i} ${'x'.repeat(i % 300)}`, { seq: i })),
).join('');

describe('LogArchive', () => {
  it('reads gzip and plain files line by line, across chunk boundaries and without a final newline', async () => {
    writeFileSync(join(dir, 'a.log.gz'), gzipSync(lines));
    writeFileSync(join(dir, 'b.log'), `${lines}{"torn":`);
    const archive = new LogArchive(dir);
    const gz: string[] = [];
    expect(await archive.forEachLine({ path: join(dir, 'a.log.gz'), compressed: true }, (l) => gz.push(l))).toBe(true);
    expect(gz).toHaveLength(2000);
    expect(gz.every((l, i) => parseLogLine(l)?.seq === i)).toBe(true);
    const plain: string[] = [];
    expect(await archive.forEachLine({ path: join(dir, 'b.log'), compressed: false }, (l) => plain.push(l))).toBe(true);
    expect(plain).toHaveLength(2001);
    expect(parseLogLine(plain[2000]!)).toBeUndefined();
  });

  it('a truncated gzip file yields what it holds and reports it was cut, never throws', async () => {
    const whole = gzipSync(lines);
    writeFileSync(join(dir, 'cut.log.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    const got: string[] = [];
    expect(await new LogArchive(dir).forEachLine({ path: join(dir, 'cut.log.gz'), compressed: true }, (l) => got.push(l))).toBe(false);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(2001);
  });

  it('a file removed before it is read (retention) is a short read, not a failure', async () => {
    expect(await new LogArchive(dir).forEachLine({ path: join(dir, 'gone.log'), compressed: false }, () => undefined)).toBe(false);
  });

  it('refuses lines that are not entries', () => {
    for (const line of [
      '',
      'null',
      '[]',
      '{"time":"nope","level":"info","subsystem":"x","msg":"m"}',
      '{"time":"2026-01-01T00:00:00Z","level":"loud","subsystem":"x","msg":"m"}',
      '{"time":"2026-01-01T00:00:00Z","level":"info","subsystem":"x"}',
    ]) {
      expect(parseLogLine(line), line).toBeUndefined();
    }
    expect(parseLogLine('{"time":"2026-01-01T00:00:00Z","level":"info","subsystem":"x","msg":"m","fields":[1]}')).toEqual({
      time: '2026-01-01T00:00:00Z',
      level: 'info',
      subsystem: 'x',
      msg: 'm',
      seq: 0,
      bootId: '',
      version: '',
      commit: '',
    });
  });
});
