import { spawnSync } from 'node:child_process';
import { appendFileSync, fdatasync, fstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { connectHarness } from '../../../test-support/api/harness.js';
import { errorCodeOf, settledCodeOf } from '../../../test-support/api/errorCodes.js';
import { LogWriteBudget } from '../../../src/logging/logWriteBudget.js';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import { CrashRecorder } from './CrashRecorder.js';
import { Logger } from './Logger.js';
import { RecentLines } from './RecentLines.js';
import { RotatingLogFile, type RotatingLogOptions } from './RotatingLogFile.js';
import { UiLogWriter } from './UiLogWriter.js';
import { RedactingLogSink } from '../telemetry/RedactingLogSink.js';

const root = mkdtempSync(join(tmpdir(), 'ui-log-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writer() {
  const recent = new RecentLines(100);
  const logger = new Logger({ version: '1.0.0', commit: 'abc', bootId: 'b1' }, [recent], 'debug');
  const crashes = new CrashRecorder(join(root, String(Math.random()).slice(2)), {
    version: '1.0.0',
    commit: 'abc',
    bootId: () => 'b1',
    recentLines: () => recent.lines(),
    lastHealth: () => undefined,
  });
  let now = 0;
  const ui = new UiLogWriter(logger, crashes, {
    recentLines: () => recent.lines(),
    budget: new LogWriteBudget({ burst: 10, perSecond: 5 }),
    now: () => now,
  });
  const records = () => recent.lines().map((l) => JSON.parse(l) as LogRecord);
  return { ui, crashes, logger, records, advance: (ms: number) => (now += ms) };
}

describe('UiLogWriter (logs.write)', () => {
  it('writes the entries under subsystem ui, naming the process and keeping the client time', async () => {
    const { ui, records } = writer();
    const result = await ui.write(
      {
        process: 'renderer',
        entries: [
          { level: 'warn', msg: 'slow frame', fields: { ms: 40 }, time: '2026-01-01T00:00:00.000Z' },
          { level: 'debug', msg: 'x' },
        ],
      },
      'conn 1',
    );
    expect(result).toEqual({ written: 2, crashId: null });
    expect(records()).toMatchObject([
      {
        level: 'warn',
        subsystem: 'ui',
        msg: 'slow frame',
        version: '1.0.0',
        fields: { ms: 40, process: 'renderer', clientTime: '2026-01-01T00:00:00.000Z' },
      },
      { level: 'debug', subsystem: 'ui', msg: 'x', fields: { process: 'renderer' } },
    ]);
  });

  it('refuses a batch over the connection budget whole (LOGS_RATE_LIMITED) and writes nothing of it; others keep logging', async () => {
    const { ui, records, advance } = writer();
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ level: 'info' as const, msg: `m${i}` }));
    await ui.write({ process: 'renderer', entries: batch(10) }, 'a');
    await expect(ui.write({ process: 'renderer', entries: batch(3) }, 'a')).rejects.toThrow(
      expect.objectContaining({ code: 'LOGS_RATE_LIMITED', details: { retryAfterMs: 600 } }),
    );
    expect(records()).toHaveLength(10);
    // Another connection has its own budget.
    await ui.write({ process: 'electron-main', entries: batch(3) }, 'b');
    // The budget refills with time.
    advance(600);
    await ui.write({ process: 'renderer', entries: batch(3) }, 'a');
    expect(records()).toHaveLength(16);
  });

  it('a crash entry writes a fatal line and a crash record for its process, even over budget', async () => {
    const { ui, crashes, records } = writer();
    await ui.write({ process: 'renderer', entries: Array.from({ length: 10 }, () => ({ level: 'info' as const, msg: 'busy' })) }, 'a');
    const { crashId } = await ui.write(
      {
        process: 'renderer',
        entries: [
          {
            level: 'fatal',
            msg: '',
            crash: { name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x is undefined\n    at HomeScreen (app.js:1:2)' },
          },
        ],
      },
      'a',
    );
    expect(crashId).not.toBeNull();
    expect(records().at(-1)).toMatchObject({
      level: 'fatal',
      subsystem: 'ui',
      msg: 'renderer crashed: TypeError: x is undefined',
      fields: { process: 'renderer' },
    });
    const record = await crashes.read(crashId!);
    expect(record).toMatchObject({ process: 'renderer', error: { name: 'TypeError', message: 'x is undefined' } });
    expect(record.error.stack).toContain('HomeScreen');
    expect((record.recentLines as { msg: string }[]).filter((l) => l.msg === 'busy')).toHaveLength(10);
  });

  it("a crash record of a UI process carries that process's own lines, not headsetd's nor the other process's", async () => {
    const { ui, crashes, logger } = writer();
    logger.log('info', 'network', 'headsetd joined the network');
    await ui.write({ process: 'renderer', entries: [{ level: 'info', msg: 'renderer started' }] }, 'a');
    await ui.write({ process: 'electron-main', entries: [{ level: 'info', msg: 'window created' }] }, 'a');
    const { crashId } = await ui.write(
      {
        process: 'electron-main',
        entries: [
          { level: 'warn', msg: 'window unresponsive', fields: { ms: 900 } },
          { level: 'error', msg: 'gpu process gone' },
          { level: 'fatal', msg: '', crash: { name: 'Error', message: 'render process gone' } },
        ],
      },
      'a',
    );
    const record = await crashes.read(crashId!);
    expect(record.process).toBe('electron-main');
    expect(record.recentLines).toMatchObject([
      { level: 'info', subsystem: 'ui', msg: 'window created', fields: { process: 'electron-main' } },
      { level: 'warn', subsystem: 'ui', msg: 'window unresponsive', fields: { ms: 900, process: 'electron-main' } },
      { level: 'error', subsystem: 'ui', msg: 'gpu process gone' },
    ]);
    expect(JSON.stringify(record.recentLines)).not.toContain('headsetd joined');
    expect(JSON.stringify(record.recentLines)).not.toContain('renderer started');
    // The renderer's crash: its own line, not Electron main's (nor the fatal lines logged since).
    const renderer = await ui.write({ process: 'renderer', entries: [{ level: 'fatal', msg: '', crash: { name: 'Error', message: 'boom' } }] }, 'b');
    expect((await crashes.read(renderer.crashId!)).recentLines).toMatchObject([{ msg: 'renderer started', fields: { process: 'renderer' } }]);
  });

  it('a crash in the batch does not let its ordinary entries past the entry budget', async () => {
    const { ui, crashes, records } = writer(); // entry budget: bursts of 10, 5 a second
    const batch = () => [
      ...Array.from({ length: 9 }, (_, i) => ({ level: 'info' as const, msg: `m${i}` })),
      { level: 'fatal' as const, msg: '', crash: { name: 'Error', message: 'again' } },
    ];
    expect((await ui.write({ process: 'renderer', entries: batch() }, 'a')).written).toBe(10);
    expect(records()).toHaveLength(10);
    // The budget holds 1 entry now: the 9 ordinary ones are left out, the crash still gets in.
    const second = await ui.write({ process: 'renderer', entries: batch() }, 'a');
    expect(second.written).toBe(1);
    expect(second.crashId).not.toBeNull();
    expect(records()).toHaveLength(11);
    expect(records().at(-1)).toMatchObject({ level: 'fatal', fields: { droppedEntries: 9 } });
    // The entries left out of the log are still in the crash record.
    const record = await crashes.read(second.crashId!);
    expect((record.recentLines as { msg: string }[]).filter((l) => /^m\d$/.test(l.msg))).toHaveLength(18);
    // Without a crash, the same over-budget batch is refused whole, as ever.
    await expect(ui.write({ process: 'renderer', entries: batch().slice(0, 9) }, 'a')).rejects.toThrow(
      expect.objectContaining({ code: 'LOGS_RATE_LIMITED' }),
    );
    expect(records()).toHaveLength(11);
  });

  it('a UI sending crash after crash is limited too: a few records a minute', async () => {
    const { ui, crashes } = writer();
    const crash = { level: 'fatal' as const, msg: '', crash: { name: 'Error', message: 'loop' } };
    for (let i = 0; i < 3; i++) await ui.write({ process: 'renderer', entries: [crash] }, 'a');
    await expect(ui.write({ process: 'renderer', entries: [crash] }, 'a')).rejects.toThrow(expect.objectContaining({ code: 'LOGS_RATE_LIMITED' }));
    expect(await crashes.list()).toHaveLength(3);
  });
});

/**
 * The production chain (composition.ts): the logger, the redacting sink, the rotating file. The
 * file's fdatasync is a seam that records the file's size when it is called and can be held.
 */
async function durableWriter(options: Partial<RotatingLogOptions> = {}, sync: { fail?: boolean } = {}) {
  const dir = mkdtempSync(join(root, 'ack-'));
  const syncs: { size: number; release: () => void }[] = [];
  let hold = false;
  const file = await RotatingLogFile.open({
    dir,
    stream: 'headsetd',
    compress: false,
    syncData: async (fd) => {
      const size = fstatSync(fd).size;
      if (sync.fail) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      if (hold) await new Promise<void>((release) => syncs.push({ size, release }));
      else syncs.push({ size, release: () => undefined });
      await promisify(fdatasync)(fd);
    },
    ...options,
  });
  const recent = new RecentLines();
  const logger = new Logger({ version: '1.0.0', commit: 'abc', bootId: 'b1' }, [new RedactingLogSink([file, recent])]);
  const crashes = new CrashRecorder(join(dir, 'crashes'), {
    version: '1.0.0',
    commit: 'abc',
    bootId: () => 'b1',
    recentLines: () => recent.lines(),
    lastHealth: () => undefined,
  });
  const ui = new UiLogWriter(logger, crashes, { recentLines: () => recent.lines() });
  const inFile = (text: string) =>
    readFileSync(file.path, 'utf8')
      .split('\n')
      .filter((l) => l.includes(text)).length;
  return { ui, file, syncs, inFile, holdSyncs: () => (hold = true), dir };
}

const entries = (level: 'info' | 'warn' | 'error' | 'fatal', tag: string, n = 50) =>
  Array.from({ length: n }, (_, i) => ({ level, msg: `${tag} ${i}` }));

describe('logs.write answers once its lines are safe', () => {
  it('an info or warn batch: once every line is in the file (written to the kernel), without an fdatasync', async () => {
    const { ui, file, syncs, inFile } = await durableWriter();
    expect(await ui.write({ process: 'renderer', entries: entries('info', 'ACK-info') }, 'a')).toEqual({ written: 50, crashId: null });
    expect(inFile('ACK-info')).toBe(50);
    await ui.write({ process: 'renderer', entries: entries('warn', 'ACK-warn') }, 'b');
    expect(inFile('ACK-warn')).toBe(50);
    expect(syncs).toHaveLength(0);
    await file.closeAsync();
  });

  it("counts as written only what the log keeps: a debug entry below headsetd's level (info) is not", async () => {
    const { ui, file, inFile } = await durableWriter();
    expect(
      await ui.write(
        {
          process: 'renderer',
          entries: [
            { level: 'debug', msg: 'ACK-level debug' },
            { level: 'info', msg: 'ACK-level info' },
          ],
        },
        'a',
      ),
    ).toEqual({ written: 1, crashId: null });
    expect(inFile('ACK-level')).toBe(1);
    await file.closeAsync();
  });

  it('a batch with an error entry: only after an fdatasync that started once its lines were in the file', async () => {
    const { ui, file, syncs, inFile, holdSyncs } = await durableWriter();
    holdSyncs();
    let answered = false;
    const answer = ui
      .write({ process: 'renderer', entries: [...entries('info', 'ACK-mixed', 10), { level: 'error', msg: 'ACK-mixed error' }] }, 'a')
      .then((out) => {
        answered = true;
        return out;
      });
    while (syncs.length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(syncs[0]!.size).toBe(statSync(file.path).size);
    expect(inFile('ACK-mixed')).toBe(11);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    syncs[0]!.release();
    expect(await answer).toEqual({ written: 11, crashId: null });
    expect(syncs).toHaveLength(1);
    await file.closeAsync();
  });

  it('fatal entries and crash entries are synced as well', async () => {
    const { ui, file, syncs } = await durableWriter();
    await ui.write({ process: 'renderer', entries: entries('fatal', 'ACK-fatal', 5) }, 'a');
    expect(syncs).toHaveLength(1);
    const { crashId } = await ui.write(
      { process: 'renderer', entries: [{ level: 'fatal', msg: '', crash: { name: 'Error', message: 'gone' } }] },
      'a',
    );
    expect(crashId).not.toBeNull();
    expect(syncs).toHaveLength(2);
    await file.closeAsync();
  });

  it('lines the log could not take (its buffer full) make the call fail with LOGS_NOT_WRITTEN, saying how many', async () => {
    // Room for a few lines only, and no write before the call waits.
    const { ui, file, inFile } = await durableWriter({ maxBufferedBytes: 3000, flushDelayMs: 60_000 });
    const failure = await ui.write({ process: 'renderer', entries: entries('info', 'ACK-full') }, 'a').catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'LOGS_NOT_WRITTEN', details: { dropped: file.dropped, unsynced: 0, crashId: null } });
    expect(file.dropped).toBeGreaterThan(0);
    expect(inFile('ACK-full')).toBe(50 - file.dropped);
    expect((failure as Error).message).toContain(`${file.dropped} of the batch's 50 log lines did not reach the device log`);
    // The next batch that fits is answered as written.
    expect(await ui.write({ process: 'renderer', entries: entries('info', 'ACK-after', 2) }, 'b')).toEqual({ written: 2, crashId: null });
    await file.closeAsync();
  });

  it('an error batch whose fdatasync fails is LOGS_NOT_WRITTEN (unsynced); an info batch does not need one', async () => {
    const { ui, file, inFile } = await durableWriter({}, { fail: true });
    await expect(ui.write({ process: 'renderer', entries: entries('error', 'ACK-eio', 3) }, 'a')).rejects.toMatchObject({
      code: 'LOGS_NOT_WRITTEN',
      details: { dropped: 0, unsynced: 3 },
    });
    expect(inFile('ACK-eio')).toBe(3);
    expect(await ui.write({ process: 'renderer', entries: entries('info', 'ACK-plain', 3) }, 'a')).toEqual({ written: 3, crashId: null });
    await file.closeAsync();
  });

  it.runIf(process.getuid?.() === 0)('a full disk (tmpfs): LOGS_NOT_WRITTEN with the lines dropped; once there is room again, written', async () => {
    const dir = mkdtempSync(join(root, 'tmpfs-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
    expect(mounted.status, mounted.stderr?.toString()).toBe(0);
    try {
      const logs = join(dir, 'logs');
      mkdirSync(logs);
      const { ui, file, inFile } = await durableWriter({ dir: logs });
      const filler = join(dir, 'filler.bin');
      try {
        for (;;) appendFileSync(filler, Buffer.alloc(4096));
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
      await expect(ui.write({ process: 'renderer', entries: entries('error', 'ACK-enospc') }, 'a')).rejects.toMatchObject({
        code: 'LOGS_NOT_WRITTEN',
        details: { dropped: 50 },
      });
      expect(inFile('ACK-enospc')).toBe(0);
      rmSync(filler);
      expect(await ui.write({ process: 'renderer', entries: entries('error', 'ACK-room') }, 'a')).toEqual({ written: 50, crashId: null });
      expect(inFile('ACK-room')).toBe(50);
      await file.closeAsync();
    } finally {
      spawnSync('umount', [dir]);
    }
  });
});

describe('logs.write input (through the router)', () => {
  it('refuses what a UI must not send: long messages, big fields, too many entries, a bad level', async () => {
    const { client } = connectHarness();
    await expect(client.call('logs.write', { entries: [{ level: 'info', msg: 'ok', fields: { a: 1 } }] })).resolves.toEqual({
      written: 1,
      crashId: null,
    });
    expect(await errorCodeOf(client.call('logs.write', { entries: [{ level: 'info', msg: 'x'.repeat(2049) }] }))).toBe('INVALID_INPUT');
    expect(await errorCodeOf(client.call('logs.write', { entries: [{ level: 'info', msg: 'x', fields: { blob: 'y'.repeat(5000) } }] }))).toBe(
      'INVALID_INPUT',
    );
    expect(await errorCodeOf(client.call('logs.write', { entries: Array.from({ length: 51 }, () => ({ level: 'info' as const, msg: 'x' })) }))).toBe(
      'INVALID_INPUT',
    );
    expect(await errorCodeOf(client.call('logs.write', { entries: [] }))).toBe('INVALID_INPUT');
    expect(await errorCodeOf(client.call('logs.write', { entries: [{ level: 'loud' as 'info', msg: 'x' }] }))).toBe('INVALID_INPUT');
    expect(await errorCodeOf(client.call('logs.write', { process: 'headsetd' as 'renderer', entries: [{ level: 'info', msg: 'x' }] }))).toBe(
      'INVALID_INPUT',
    );
    // status-only connections (remote support) may not write into the log.
    expect(await settledCodeOf(connectHarness({ scopes: ['status'] }).client.call('logs.write', { entries: [{ level: 'info', msg: 'x' }] }))).toBe(
      'FORBIDDEN',
    );
  });
});
