import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { listLogFiles } from './logFiles.js';
import { RotatingLogFile } from './RotatingLogFile.js';

const root = mkdtempSync(join(tmpdir(), 'rotating-log-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const folder = () => mkdtempSync(join(root, `${folders++}-`));

/** Every line of every log file of `dir` (gunzipped), in listing order. */
function readAllLines(dir: string, files = readdirSync(dir).filter((n) => !n.startsWith('.'))): string[] {
  return files.flatMap((name) => {
    const raw = readFileSync(join(dir, name));
    const text = (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    return text.split('\n').filter((line) => line.length > 0);
  });
}

function seqs(lines: string[]): number[] {
  return lines.map((line) => (JSON.parse(line) as { seq: number }).seq);
}

const line = (seq: number, pad = 60) => `${JSON.stringify({ seq, msg: 'x'.repeat(pad) })}\n`;

describe('RotatingLogFile', () => {
  it('rotates by size on line boundaries, compresses rotated files, loses and repeats nothing', async () => {
    const dir = folder();
    const file = await RotatingLogFile.open({ dir, stream: 'headsetd', maxFileBytes: 16 * 1024 });
    for (let i = 1; i <= 5000; i++) file.append(line(i));
    await file.whenIdle();
    const listed = await listLogFiles(dir);
    expect(file.rotations).toBeGreaterThan(20);
    expect(listed.at(-1)).toMatchObject({ stream: 'headsetd', active: true });
    expect(listed.slice(0, -1).every((f) => f.compressed)).toBe(true);
    const names = listed.map((f) => f.path.slice(dir.length + 1));
    expect(seqs(readAllLines(dir, names))).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    for (const name of names) {
      const raw = readFileSync(join(dir, name));
      expect((name.endsWith('.gz') ? gunzipSync(raw) : raw).length).toBeLessThanOrEqual(16 * 1024);
    }
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    file.close();
  });

  it('closeAsync right after a burst: every line once, in order, within the cap, rotated files compressed', async () => {
    const dir = folder();
    const file = await RotatingLogFile.open({ dir, stream: 'headsetd', maxFileBytes: 16 * 1024, batchBytes: 4096 });
    // Writes are under way (the batches are small) when the close comes; more lines follow the first writes.
    for (let i = 1; i <= 1500; i++) file.append(line(i));
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 1501; i <= 3000; i++) file.append(line(i));
    await file.closeAsync();
    expect(file.dropped).toBe(0);
    const listed = await listLogFiles(dir);
    const names = listed.map((f) => f.path.slice(dir.length + 1));
    expect(seqs(readAllLines(dir, names))).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(listed.slice(0, -1).every((f) => f.compressed)).toBe(true);
    for (const name of names) {
      const raw = readFileSync(join(dir, name));
      expect((name.endsWith('.gz') ? gunzipSync(raw) : raw).length).toBeLessThanOrEqual(16 * 1024);
    }
    // Closed: later lines are counted as dropped, not written.
    file.append(line(3001));
    expect(file.dropped).toBe(1);
  });

  it('rotates by time once per period, and a clock jump neither loops nor reuses a name', async () => {
    const dir = folder();
    let now = Date.UTC(2026, 10, 22, 23, 59, 0);
    const file = await RotatingLogFile.open({ dir, stream: 'headsetd', clock: () => now, compress: false, checkEveryMs: 0 });
    let seq = 0;
    const write = async () => {
      file.append(line(++seq));
      await file.whenWritten();
    };
    await write();
    now += 2 * 60_000; // past midnight: a new day
    await write();
    expect(file.rotations).toBe(1);
    now += 5 * 86_400_000; // forward five days: one rotation, not five
    await write();
    await write();
    expect(file.rotations).toBe(2);
    now -= 10 * 86_400_000; // back ten days: no rotation for it, no loop
    await write();
    expect(file.rotations).toBe(2);
    now += 86_400_000; // the next midnight of the wrong clock: a rotation, named after the newest so far
    await write();
    now += 86_400_000;
    await write();
    expect(file.rotations).toBe(4);
    const names = (await listLogFiles(dir)).map((f) => f.path.slice(dir.length + 1));
    expect(names).toHaveLength(5);
    expect(names.slice(0, 4)).toEqual([
      'headsetd.20261123T000100000Z.log',
      'headsetd.20261128T000100000Z.log',
      'headsetd.20261128T000100000Z-1.log',
      'headsetd.20261128T000100000Z-2.log',
    ]);
    // The order of the names is the order of the lines.
    expect(seqs(readAllLines(dir, names))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    file.close();
  });

  it('finishes what a killed compression left: a partial temporary file goes, a copy compressed twice is kept once', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'headsetd.20261120T000000000Z.log'), line(1));
    writeFileSync(join(dir, 'headsetd.20261120T000000000Z.log.gz'), gzipSync(line(1)));
    writeFileSync(join(dir, 'headsetd.20261121T000000000Z.log'), line(2));
    writeFileSync(join(dir, '.headsetd.20261121T000000000Z.log.gz.tmp'), gzipSync(line(2)).subarray(0, 10));
    writeFileSync(join(dir, 'headsetd.log'), line(3));
    const file = await RotatingLogFile.open({ dir, stream: 'headsetd' });
    await file.whenIdle();
    expect(
      readdirSync(dir)
        .filter((n) => !n.startsWith('.'))
        .sort(),
    ).toEqual(['headsetd.20261120T000000000Z.log.gz', 'headsetd.20261121T000000000Z.log.gz', 'headsetd.log']);
    expect(
      seqs(
        readAllLines(
          dir,
          (await listLogFiles(dir)).map((f) => f.path.slice(dir.length + 1)),
        ),
      ),
    ).toEqual([1, 2, 3]);
    file.close();
  });

  it('keeps rotated files by age, count and the folder total, oldest going first', async () => {
    const dir = folder();
    const day = 86_400_000;
    let now = Date.UTC(2026, 10, 1);
    const file = await RotatingLogFile.open({
      dir,
      stream: 'headsetd',
      clock: () => now,
      compress: false,
      maxFileBytes: 4096,
      retention: { maxAgeMs: 3 * day, maxRotatedFiles: 100 },
    });
    let seq = 0;
    for (let d = 0; d < 6; d++) {
      file.append(line(++seq));
      await file.whenWritten();
      now += day;
    }
    file.append(line(++seq));
    await file.whenIdle();
    // Rotated at days 1..5 (each holding the previous day's line); those older than 3 days went.
    const rotated = (await listLogFiles(dir)).filter((f) => !f.active).map((f) => f.path.slice(dir.length + 1));
    expect(rotated).toEqual([
      'headsetd.20261104T000000000Z.log',
      'headsetd.20261105T000000000Z.log',
      'headsetd.20261106T000000000Z.log',
      'headsetd.20261107T000000000Z.log',
    ]);
    file.close();

    const byCount = await RotatingLogFile.open({ dir, stream: 'headsetd', clock: () => now, compress: false, retention: { maxRotatedFiles: 1 } });
    await byCount.whenIdle();
    expect((await listLogFiles(dir)).filter((f) => !f.active).map((f) => f.path.slice(dir.length + 1))).toEqual(['headsetd.20261107T000000000Z.log']);
    byCount.close();
  });

  it('flushSync (a crash) keeps to the file cap: it rotates once, synchronously, and counts what did not fit', async () => {
    const dir = folder();
    const file = await RotatingLogFile.open({ dir, stream: 'headsetd', maxFileBytes: 8192, compress: false, batchBytes: 1e9, flushDelayMs: 60_000 });
    for (let i = 1; i <= 300; i++) file.append(line(i)); // ~23 KiB buffered, nothing written yet
    file.flushSync();
    const names = readdirSync(dir).filter((n) => !n.startsWith('.'));
    expect(names).toHaveLength(2);
    for (const name of names) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(8192);
    const written = seqs(
      readAllLines(
        dir,
        (await listLogFiles(dir)).map((f) => f.path.slice(dir.length + 1)),
      ),
    );
    expect(written).toEqual(Array.from({ length: written.length }, (_, i) => i + 1));
    expect(written.length + file.dropped).toBe(300);
    file.close();
  });

  it('reopens a log file deleted under it', async () => {
    const dir = folder();
    const file = await RotatingLogFile.open({ dir, stream: 'headsetd', checkEveryMs: 0 });
    file.append(line(1));
    await file.whenWritten();
    unlinkSync(file.path);
    file.append(line(2));
    await file.whenWritten();
    file.append(line(3));
    await file.whenWritten();
    // Checked before each write: the new file holds every line since the deletion.
    expect(seqs(readAllLines(dir))).toEqual([2, 3]);
    expect(statSync(file.path).size).toBeGreaterThan(0);
    file.close();
  });

  it('cuts the torn line a writer killed mid-write left at the end of its file, before appending', async () => {
    const dir = folder();
    const path = join(dir, 'headsetd.log');
    // A kill -9 lands between two pages of a write: the file ends part-way through line 3.
    writeFileSync(path, line(1) + line(2) + line(3).slice(0, 30));
    const file = await RotatingLogFile.open({ dir, stream: 'headsetd', compress: false });
    file.append(line(4));
    await file.whenWritten();
    expect(readFileSync(path, 'utf8')).toBe(line(1) + line(2) + line(4));
    file.close();

    // Torn inside the first line, far past one read of the tail: nothing whole is left.
    const lone = folder();
    writeFileSync(join(lone, 'headsetd.log'), 'x'.repeat(200 * 1024));
    const again = await RotatingLogFile.open({ dir: lone, stream: 'headsetd', compress: false });
    again.append(line(5));
    await again.whenWritten();
    expect(readFileSync(join(lone, 'headsetd.log'), 'utf8')).toBe(line(5));
    again.close();
  });
});
