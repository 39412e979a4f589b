import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { buildSync } from 'esbuild';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, statfsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLogFiles } from './logFiles.js';
import { RotatingLogFile, type RotatingLogOptions } from './RotatingLogFile.js';

const root = mkdtempSync(join(tmpdir(), 'rotating-faults-'));
const bundled = join(root, 'RotatingLogFile.mjs');
const isRoot = process.getuid?.() === 0;
let folders = 0;
const folder = () => mkdtempSync(join(root, `${folders++}-`));

beforeAll(() => {
  // Children run the real RotatingLogFile, bundled (Node 20 cannot run TypeScript itself).
  buildSync({
    entryPoints: [join(import.meta.dirname, 'RotatingLogFile.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundled,
    logLevel: 'silent',
  });
  chmodSync(root, 0o755);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Writer {
  child: ChildProcess;
  /** The highest sequence number the child saw reach the file, and what it dropped so far. */
  written: number;
  dropped: number;
  /** The active file's cap after sharing the folder's budget. */
  maxFileBytes: number;
  exited: Promise<number | null>;
}

/**
 * A child process writing `{run, seq}` lines through a RotatingLogFile as fast as it can, in bursts,
 * reporting after each burst reached the file.
 */
function startWriter(
  options: Omit<RotatingLogOptions, 'clock' | 'onProblem'>,
  run: string,
  lines: number,
  extra: { burst?: number; pauseMs?: number; uid?: number } = {},
): Writer {
  const script = `
    import { RotatingLogFile } from ${JSON.stringify(bundled)};
    const file = await RotatingLogFile.open(${JSON.stringify(options)});
    const pad = 'x'.repeat(60);
    let seq = 0;
    while (seq < ${lines}) {
      for (let i = 0; i < ${extra.burst ?? 200} && seq < ${lines}; i++) file.append(JSON.stringify({ run: ${JSON.stringify(run)}, seq: ++seq, pad }) + '\\n');
      await file.whenWritten();
      process.stdout.write('written ' + seq + ' ' + file.dropped + ' ' + file.maxFileBytes + '\\n');
      ${extra.pauseMs ? `await new Promise((r) => setTimeout(r, ${extra.pauseMs}));` : ''}
    }
    await file.whenIdle();
    file.close();
    process.stdout.write('done ' + seq + ' ' + file.dropped + '\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(extra.uid !== undefined ? { uid: extra.uid, gid: extra.uid } : {}),
  });
  const writer: Writer = {
    child,
    written: 0,
    dropped: 0,
    maxFileBytes: 0,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [kind, seq, dropped, cap] = line.split(' ');
    writer.written = Number(seq);
    writer.dropped = Number(dropped);
    if (kind === 'written') writer.maxFileBytes = Number(cap);
  });
  return writer;
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function linesOf(dir: string): Array<{ run: string; seq: number }> {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && /\.log(\.gz)?$/.test(name))
    .flatMap((name) => {
      const raw = readFileSync(join(dir, name));
      return (name.endsWith('.gz') ? gunzipSync(raw) : raw)
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line, index) => {
          try {
            return JSON.parse(line) as { run: string; seq: number };
          } catch {
            // A torn or fused line: say where, not just that JSON failed.
            throw new Error(`${name} line ${index + 1} is not a whole line: ${line.slice(0, 80)}…${line.slice(-80)}`);
          }
        });
    });
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    try {
      total += statSync(join(dir, name)).size;
    } catch {
      // Removed since the listing.
    }
  }
  return total;
}

describe('RotatingLogFile under faults (real processes)', () => {
  it('kill -9 at random moments across many rotations and compressions: every line once, none missing before the last one written', async () => {
    const dir = folder();
    const reported: Record<string, number> = {};
    for (let run = 0; run < 12; run++) {
      const writer = startWriter({ dir, stream: 'headsetd', maxFileBytes: 8 * 1024 }, `r${run}`, 10_000_000);
      // Progress first (over a dozen 8 KiB files per run however loaded the machine is), then a random moment.
      await until(() => writer.written >= 1200 + Math.floor(Math.random() * 14) * 200);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
      writer.child.kill('SIGKILL');
      await writer.exited;
      reported[`r${run}`] = writer.written;
    }
    // The next start finishes what the last kill left.
    const problems: string[] = [];
    const file = await RotatingLogFile.open({
      dir,
      stream: 'headsetd',
      maxFileBytes: 8 * 1024,
      onProblem: (what, error) => problems.push(`${what}: ${String(error)}`),
    });
    await file.whenIdle();
    expect(problems).toEqual([]);
    file.close();
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const rotated = (await listLogFiles(dir)).filter((f) => !f.active);
    expect(rotated.length).toBeGreaterThan(100);
    expect(rotated.every((f) => f.compressed)).toBe(true);
    const byRun = new Map<string, number[]>();
    for (const { run, seq } of linesOf(dir)) byRun.set(run, [...(byRun.get(run) ?? []), seq]);
    for (const [run, written] of Object.entries(reported)) {
      const seqs = byRun.get(run)!.sort((a, b) => a - b);
      // No duplicate, no gap: 1..max, and max covers everything the child saw written.
      const firstWrong = seqs.findIndex((s, i) => s !== i + 1);
      expect(firstWrong, `${run}: at ${firstWrong}: ${seqs.slice(Math.max(0, firstWrong - 2), firstWrong + 3).join(',')}`).toBe(-1);
      expect(seqs.length, run).toBeGreaterThanOrEqual(written);
    }
  }, 60_000);

  it('kill -9 in the middle of a write: the torn line it leaves at the end of the file is cut, the next run appends whole lines', async () => {
    // SIGKILL stops a write between two pages. The child kills itself while the thread pool writes
    // a 4 MiB burst, so nearly every run tears a line (an 8 KiB write of the test above rarely does).
    const dir = folder();
    const reported: Record<string, number> = {};
    let torn = 0;
    for (let run = 0; run < 4; run++) {
      const script = `
        import { RotatingLogFile } from ${JSON.stringify(bundled)};
        const file = await RotatingLogFile.open({ dir: ${JSON.stringify(dir)}, stream: 'headsetd', maxFileBytes: 64 * 1024 * 1024, batchBytes: 1 << 30, compress: false });
        const pad = 'x'.repeat(4000);
        let seq = 0;
        const burst = () => { for (let i = 0; i < 1000; i++) file.append(JSON.stringify({ run: 'k${run}', seq: ++seq, pad }) + '\\n'); };
        for (let b = 0; b < ${1 + (run % 2)}; b++) {
          burst();
          await file.whenWritten();
        }
        process.stdout.write('written ' + seq + '\\n');
        burst();
        void file.whenWritten();
        // The write is on its way to the thread pool once the promise jobs ran: die in the middle of it.
        setImmediate(() => process.kill(process.pid, 'SIGKILL'));`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
      // 'close', not 'exit': the output read to its end.
      const signal = await new Promise((resolve) => child.once('close', (_code, sig) => resolve(sig)));
      expect(signal).toBe('SIGKILL');
      reported[`k${run}`] = Number(/written (\d+)/.exec(output)?.[1]);
      const active = readFileSync(join(dir, 'headsetd.log'));
      if (active.at(-1) !== 0x0a) torn++;
    }
    const problems: string[] = [];
    const file = await RotatingLogFile.open({
      dir,
      stream: 'headsetd',
      compress: false,
      onProblem: (what, error) => problems.push(`${what}: ${String(error)}`),
    });
    file.close();
    expect(problems).toEqual([]);
    const byRun = new Map<string, number[]>();
    for (const { run, seq } of linesOf(dir)) byRun.set(run, [...(byRun.get(run) ?? []), seq]);
    for (const [run, written] of Object.entries(reported)) {
      const seqs = byRun.get(run)!.sort((a, b) => a - b);
      const firstWrong = seqs.findIndex((s, i) => s !== i + 1);
      expect(firstWrong, `${run}: at ${firstWrong} (${torn} torn)`).toBe(-1);
      expect(seqs.length, run).toBeGreaterThanOrEqual(written);
    }
  }, 30_000);

  it('three processes sharing a folder never take it past its byte limit', async () => {
    const dir = folder();
    const limit = 256 * 1024;
    const writers = ['headsetd', 'electron', 'renderer'].map((stream) =>
      startWriter({ dir, stream, maxFileBytes: 32 * 1024, retention: { maxTotalBytes: limit } }, stream, 30_000, { burst: 100 }),
    );
    let largest = 0;
    let samples = 0;
    const exited = Promise.all(writers.map((w) => w.exited));
    let running = true;
    void exited.then(() => (running = false));
    while (running) {
      largest = Math.max(largest, folderBytes(dir));
      samples++;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(await exited).toEqual([0, 0, 0]);
    // How many samples fit in the writers' run depends on the machine's load: at least one was taken while they wrote.
    expect(samples).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(limit);
    expect(folderBytes(dir)).toBeLessThanOrEqual(limit);
    // Retention did work: the oldest lines of every stream went, the newest stayed.
    const lines = linesOf(dir);
    for (const w of writers) expect(w.dropped).toBe(0);
    // Three reserves of 2 × 32 KiB + a gzip's worth do not fit 256 KiB: the last writer to open got a smaller cap.
    expect(Math.min(...writers.map((w) => w.maxFileBytes))).toBeLessThan(32 * 1024);
    for (const stream of ['headsetd', 'electron', 'renderer']) {
      const seqs = lines.filter((l) => l.run === stream).map((l) => l.seq);
      expect(Math.min(...seqs)).toBeGreaterThan(1);
      expect(Math.max(...seqs)).toBe(30_000);
    }
  }, 60_000);

  it.runIf(isRoot)(
    'a log file made read-only under it: lines are dropped and counted, writing resumes when it is writable again',
    async () => {
      const dir = folder();
      chownSync(dir, 65534, 65534);
      const writer = startWriter({ dir, stream: 'electron', checkEveryMs: 5 }, 'ro', 4000, { burst: 20, pauseMs: 5, uid: 65534 });
      const path = join(dir, 'electron.log');
      await until(() => writer.written > 400);
      chmodSync(path, 0o444);
      await until(() => writer.dropped > 0);
      const writtenWhenReadOnly = writer.written;
      await until(() => writer.written > writtenWhenReadOnly + 200);
      chmodSync(path, 0o644);
      expect(await writer.exited).toBe(0);
      const seqs = linesOf(dir).map((l) => l.seq);
      // Every line either reached the file or was counted as dropped; the last ones are there.
      expect(seqs.length + writer.dropped).toBe(4000);
      expect(writer.dropped).toBeGreaterThan(0);
      expect(seqs.at(-1)).toBe(4000);
      expect(new Set(seqs).size).toBe(seqs.length);
    },
    30_000,
  );

  it.runIf(isRoot)(
    'a full disk (1 MiB tmpfs): oldest rotated files go under pressure, no torn line, writing resumes',
    async () => {
      const dir = folder();
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
      expect(mounted.status, mounted.stderr?.toString()).toBe(0);
      let file: RotatingLogFile | undefined;
      try {
        const opened = await RotatingLogFile.open({
          dir,
          stream: 'headsetd',
          maxFileBytes: 64 * 1024,
          compress: false,
          checkEveryMs: 0,
          retention: { minFreeBytes: 256 * 1024 },
        });
        file = opened;
        const pad = 'x'.repeat(60);
        let seq = 0;
        const write = async (count: number) => {
          for (let i = 0; i < count; i++) opened.append(`${JSON.stringify({ run: 'disk', seq: ++seq, pad })}\n`);
          await opened.whenIdle();
        };
        await write(12_000); // ~1 MiB of lines: more than the disk
        const free = () => statfsSync(dir).bavail * statfsSync(dir).bsize;
        expect(free()).toBeGreaterThanOrEqual(200 * 1024);
        expect(Math.min(...linesOf(dir).map((l) => l.seq))).toBeGreaterThan(1);
        expect(file.dropped).toBe(0);

        // Something else fills the disk to the last byte: the rotated files give way, no line is lost.
        const filler = join(dir, 'filler.bin');
        const fill = () => {
          try {
            for (;;) appendFileSync(filler, Buffer.alloc(4 * 1024));
          } catch (error) {
            expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
          }
        };
        fill();
        const rotatedBefore = (await listLogFiles(dir)).filter((f) => !f.active).length;
        expect(rotatedBefore).toBeGreaterThan(0);
        await write(2000);
        expect(file.dropped).toBe(0);
        // In the files, not only not counted as dropped.
        const present = new Set(linesOf(dir).map((l) => l.seq));
        expect(Array.from({ length: 2000 }, (_, i) => seq - i).filter((s) => !present.has(s))).toEqual([]);
        // Nothing left to give way: lines are dropped and counted, whole lines only, in order.
        // Filled again and again until the rotated files all went: nothing left to give way.
        do {
          fill();
          await file.runRetention();
        } while ((await listLogFiles(dir)).some((f) => !f.active));
        fill();
        await write(3000);
        expect(file.dropped).toBeGreaterThan(0);
        const during = linesOf(dir).map((l) => l.seq);
        expect(during.every((s, i) => i === 0 || s > during[i - 1]!)).toBe(true);

        unlinkSync(filler);
        const droppedBefore = file.dropped;
        await write(100);
        expect(file.dropped).toBe(droppedBefore);
        expect(
          linesOf(dir)
            .map((l) => l.seq)
            .at(-1),
        ).toBe(seq);
      } finally {
        file?.close();
        spawnSync('umount', [dir]);
      }
    },
    30_000,
  );
});
