import { fstatSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LineRuns } from './LineRuns.js';
import { RotatingLogFile, type RotatingLogOptions } from './RotatingLogFile.js';

const root = mkdtempSync(join(tmpdir(), 'rotating-settle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const folder = () => mkdtempSync(join(root, `${folders++}-`));

const line = (seq: number, pad = 60) => `${JSON.stringify({ seq, msg: 'x'.repeat(pad) })}\n`;

/** The seq of every line in the folder's uncompressed files. */
function seqsIn(dir: string): number[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.log') || /\.log\.\d+$|\.\d+\.log$/.test(name))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean))
    .map((text) => (JSON.parse(text) as { seq: number }).seq);
}

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A sync seam that records the size of the file when it is called and waits to be released. */
function heldSync() {
  const calls: { size: number; release: () => void; fail: (error: unknown) => void }[] = [];
  const syncData: RotatingLogOptions['syncData'] = (fd) => {
    const gate = deferred();
    calls.push({ size: fstatSync(fd).size, release: gate.resolve, fail: gate.reject });
    return gate.promise;
  };
  return { calls, syncData };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('RotatingLogFile.settle', () => {
  it('resolves once the lines appended before it are in the file, while lines keep coming behind them', async () => {
    const dir = folder();
    const file = await RotatingLogFile.open({ dir, stream: 'load', compress: false, batchBytes: 4096 });
    let seq = 0;
    // Continuous load: a few lines every turn of the loop, never a quiet moment for the buffer.
    let settled = false;
    const load = (async () => {
      for (let turns = 0; !settled; turns++) {
        if (turns > 20_000) throw new Error('settle starved: the load ran out first');
        for (let i = 0; i < 20; i++) file.append(line(++seq));
        await turn();
      }
    })();
    await turn();
    await turn();
    const since = file.mark();
    for (let i = 0; i < 100; i++) file.append(line(++seq));
    const last = seq;
    const report = await file.settle(since);
    settled = true;
    await load;
    expect(report).toEqual({ dropped: 0, unsynced: 0 });
    const written = seqsIn(dir);
    for (let s = 1; s <= last; s++) expect(written[s - 1]).toBe(s);
    await file.closeAsync();
  });

  it('reports the lines of its batch that were dropped (buffer full), not those of earlier or later batches', async () => {
    const dir = folder();
    // Ten 100-char lines fit in the buffer; the write is not started before the settle.
    const file = await RotatingLogFile.open({
      dir,
      stream: 'full',
      compress: false,
      maxBufferedBytes: 1000,
      flushDelayMs: 60_000,
      batchBytes: 1 << 20,
    });
    const l = (seq: number) => line(seq, 100 - line(seq, 0).length);
    let seq = 0;
    for (let i = 0; i < 5; i++) file.append(l(++seq));
    const since = file.mark();
    for (let i = 0; i < 20; i++) file.append(l(++seq));
    expect(await file.settle(since)).toEqual({ dropped: 15, unsynced: 0 });
    const later = file.mark();
    for (let i = 0; i < 3; i++) file.append(l(++seq));
    expect(await file.settle(later)).toEqual({ dropped: 0, unsynced: 0 });
    expect(file.dropped).toBe(15);
    expect(seqsIn(dir)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 26, 27, 28]);
    await file.closeAsync();
  });

  it('reports a line larger than a whole file as dropped, its neighbours as written', async () => {
    const dir = folder();
    const file = await RotatingLogFile.open({ dir, stream: 'huge', compress: false, maxFileBytes: 4096 });
    const since = file.mark();
    file.append(line(1));
    file.append(line(2, 5000));
    file.append(line(3));
    expect(await file.settle(since)).toEqual({ dropped: 1, unsynced: 0 });
    expect(seqsIn(dir)).toEqual([1, 3]);
    await file.closeAsync();
  });

  it('reports lines appended after close as dropped', async () => {
    const dir = folder();
    const file = await RotatingLogFile.open({ dir, stream: 'closed', compress: false });
    file.close();
    const since = file.mark();
    file.append(line(1));
    expect(await file.settle(since)).toEqual({ dropped: 1, unsynced: 0 });
  });

  it('with sync, answers only after an fdatasync called once the lines were written; one fdatasync serves concurrent callers', async () => {
    const dir = folder();
    const sync = heldSync();
    const file = await RotatingLogFile.open({ dir, stream: 'sync', compress: false, syncData: sync.syncData });
    // Without sync, no fdatasync.
    const plain = file.mark();
    file.append(line(1));
    expect(await file.settle(plain)).toEqual({ dropped: 0, unsynced: 0 });
    expect(sync.calls).toHaveLength(0);

    const since = file.mark();
    for (let i = 2; i <= 11; i++) file.append(line(i));
    let answered = false;
    const first = file.settle(since, { sync: true }).then((report) => {
      answered = true;
      return report;
    });
    const second = file.settle(since, { sync: true });
    while (sync.calls.length === 0) await turn();
    // The fdatasync started after all eleven lines were written.
    expect(sync.calls[0]!.size).toBe(Array.from({ length: 11 }, (_, i) => line(i + 1).length).reduce((a, b) => a + b));
    for (let i = 0; i < 20; i++) await turn();
    expect(answered).toBe(false);
    sync.calls[0]!.release();
    expect(await first).toEqual({ dropped: 0, unsynced: 0 });
    expect(await second).toEqual({ dropped: 0, unsynced: 0 });
    expect(sync.calls).toHaveLength(1);
    await file.closeAsync();
  });

  it('with sync, a failed fdatasync is reported: the lines are written but unsynced', async () => {
    const dir = folder();
    const sync = heldSync();
    const problems: string[] = [];
    const file = await RotatingLogFile.open({
      dir,
      stream: 'eio',
      compress: false,
      syncData: sync.syncData,
      onProblem: (what) => problems.push(what),
    });
    const since = file.mark();
    for (let i = 1; i <= 4; i++) file.append(line(i));
    const settling = file.settle(since, { sync: true });
    while (sync.calls.length === 0) await turn();
    sync.calls[0]!.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    expect(await settling).toEqual({ dropped: 0, unsynced: 4 });
    expect(problems).toContain('sync');
    // The next lines get a sync of their own.
    const next = file.mark();
    file.append(line(5));
    const again = file.settle(next, { sync: true });
    while (sync.calls.length === 1) await turn();
    sync.calls[1]!.release();
    expect(await again).toEqual({ dropped: 0, unsynced: 0 });
    await file.closeAsync();
  });
});

describe('LineRuns', () => {
  it('merges runs added out of order and counts and complements ranges', () => {
    const runs = new LineRuns();
    runs.add(10, 12);
    runs.add(3, 4);
    runs.add(5, 5);
    runs.add(13, 20);
    runs.add(30, 30);
    expect(runs.count(0, 100)).toBe(3 + 11 + 1);
    expect(runs.count(4, 11)).toBe(1 + 2);
    expect(runs.count(20, 29)).toBe(0);
    expect(runs.gaps(0, 14)).toEqual([
      { from: 1, to: 2 },
      { from: 6, to: 9 },
    ]);
    expect(runs.gaps(20, 31)).toEqual([
      { from: 21, to: 29 },
      { from: 31, to: 31 },
    ]);
  });

  it('forgets the oldest runs past its bound and then counts the forgotten span whole', () => {
    const runs = new LineRuns(2);
    runs.add(1, 1);
    runs.add(5, 5);
    runs.add(9, 9);
    expect(runs.count(6, 10)).toBe(1);
    // (0, 1] was forgotten: counted whole, erring towards "not written".
    expect(runs.count(0, 10)).toBe(1 + 1 + 1);
  });
});
