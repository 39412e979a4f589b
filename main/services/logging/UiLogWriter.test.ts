import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectHarness, errorCodeOf, settledCodeOf } from '../../../src/api/testing.js';
import { LogWriteBudget } from '../../../src/logging/logWriteBudget.js';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import { CrashRecorder } from './CrashRecorder.js';
import { Logger } from './Logger.js';
import { RecentLines } from './RecentLines.js';
import { UiLogWriter } from './UiLogWriter.js';

const root = mkdtempSync(join(tmpdir(), 'ui-log-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writer() {
  const recent = new RecentLines(100);
  const logger = new Logger({ version: '1.0.0', commit: 'abc', bootId: 'b1' }, [recent], 'debug');
  const crashes = new CrashRecorder(join(root, String(Math.random()).slice(2)), { version: '1.0.0', commit: 'abc', bootId: () => 'b1', recentLines: () => recent.lines(), lastHealth: () => undefined });
  let now = 0;
  const ui = new UiLogWriter(logger, crashes, { recentLines: () => recent.lines(), budget: new LogWriteBudget({ burst: 10, perSecond: 5 }), now: () => now });
  const records = () => recent.lines().map((l) => JSON.parse(l) as LogRecord);
  return { ui, crashes, logger, records, advance: (ms: number) => (now += ms) };
}

describe('UiLogWriter (logs.write)', () => {
  it('writes the entries under subsystem ui, naming the process and keeping the client time', () => {
    const { ui, records } = writer();
    const result = ui.write({ process: 'renderer', entries: [{ level: 'warn', msg: 'slow frame', fields: { ms: 40 }, time: '2026-01-01T00:00:00.000Z' }, { level: 'debug', msg: 'x' }] }, 'conn 1');
    expect(result).toEqual({ written: 2, crashId: null });
    expect(records()).toMatchObject([
      { level: 'warn', subsystem: 'ui', msg: 'slow frame', version: '1.0.0', fields: { ms: 40, process: 'renderer', clientTime: '2026-01-01T00:00:00.000Z' } },
      { level: 'debug', subsystem: 'ui', msg: 'x', fields: { process: 'renderer' } },
    ]);
  });

  it('refuses a batch over the connection budget whole (LOGS_RATE_LIMITED) and writes nothing of it; others keep logging', () => {
    const { ui, records, advance } = writer();
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ level: 'info' as const, msg: `m${i}` }));
    ui.write({ process: 'renderer', entries: batch(10) }, 'a');
    expect(() => ui.write({ process: 'renderer', entries: batch(3) }, 'a')).toThrow(expect.objectContaining({ code: 'LOGS_RATE_LIMITED', details: { retryAfterMs: 600 } }));
    expect(records()).toHaveLength(10);
    // Another connection has its own budget.
    ui.write({ process: 'electron-main', entries: batch(3) }, 'b');
    // The budget refills with time.
    advance(600);
    ui.write({ process: 'renderer', entries: batch(3) }, 'a');
    expect(records()).toHaveLength(16);
  });

  it('a crash entry writes a fatal line and a crash record for its process, even over budget', async () => {
    const { ui, crashes, records } = writer();
    ui.write({ process: 'renderer', entries: Array.from({ length: 10 }, () => ({ level: 'info' as const, msg: 'busy' })) }, 'a');
    const { crashId } = ui.write({ process: 'renderer', entries: [{ level: 'fatal', msg: '', crash: { name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x is undefined\n    at HomeScreen (app.js:1:2)' } }] }, 'a');
    expect(crashId).not.toBeNull();
    expect(records().at(-1)).toMatchObject({ level: 'fatal', subsystem: 'ui', msg: 'renderer crashed: TypeError: x is undefined', fields: { process: 'renderer' } });
    const record = await crashes.read(crashId!);
    expect(record).toMatchObject({ process: 'renderer', error: { name: 'TypeError', message: 'x is undefined' } });
    expect(record.error.stack).toContain('HomeScreen');
    expect((record.recentLines as { msg: string }[]).filter((l) => l.msg === 'busy')).toHaveLength(10);
  });

  it("a crash record of a UI process carries that process's own lines, not headsetd's nor the other process's", async () => {
    const { ui, crashes, logger } = writer();
    logger.log('info', 'network', 'headsetd joined the network');
    ui.write({ process: 'renderer', entries: [{ level: 'info', msg: 'renderer started' }] }, 'a');
    ui.write({ process: 'electron-main', entries: [{ level: 'info', msg: 'window created' }] }, 'a');
    const { crashId } = ui.write(
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
    const renderer = ui.write({ process: 'renderer', entries: [{ level: 'fatal', msg: '', crash: { name: 'Error', message: 'boom' } }] }, 'b');
    expect((await crashes.read(renderer.crashId!)).recentLines).toMatchObject([{ msg: 'renderer started', fields: { process: 'renderer' } }]);
  });

  it('a crash in the batch does not let its ordinary entries past the entry budget', async () => {
    const { ui, crashes, records } = writer(); // entry budget: bursts of 10, 5 a second
    const batch = () => [...Array.from({ length: 9 }, (_, i) => ({ level: 'info' as const, msg: `m${i}` })), { level: 'fatal' as const, msg: '', crash: { name: 'Error', message: 'again' } }];
    expect(ui.write({ process: 'renderer', entries: batch() }, 'a').written).toBe(10);
    expect(records()).toHaveLength(10);
    // The budget holds 1 entry now: the 9 ordinary ones are left out, the crash still gets in.
    const second = ui.write({ process: 'renderer', entries: batch() }, 'a');
    expect(second.written).toBe(1);
    expect(second.crashId).not.toBeNull();
    expect(records()).toHaveLength(11);
    expect(records().at(-1)).toMatchObject({ level: 'fatal', fields: { droppedEntries: 9 } });
    // The entries left out of the log are still in the crash record.
    const record = await crashes.read(second.crashId!);
    expect((record.recentLines as { msg: string }[]).filter((l) => /^m\d$/.test(l.msg))).toHaveLength(18);
    // Without a crash, the same over-budget batch is refused whole, as ever.
    expect(() => ui.write({ process: 'renderer', entries: batch().slice(0, 9) }, 'a')).toThrow(expect.objectContaining({ code: 'LOGS_RATE_LIMITED' }));
    expect(records()).toHaveLength(11);
  });

  it('a UI sending crash after crash is limited too: a few records a minute', async () => {
    const { ui, crashes } = writer();
    const crash = { level: 'fatal' as const, msg: '', crash: { name: 'Error', message: 'loop' } };
    for (let i = 0; i < 3; i++) ui.write({ process: 'renderer', entries: [crash] }, 'a');
    expect(() => ui.write({ process: 'renderer', entries: [crash] }, 'a')).toThrow(expect.objectContaining({ code: 'LOGS_RATE_LIMITED' }));
    expect(await crashes.list()).toHaveLength(3);
  });
});

describe('logs.write input (through the router)', () => {
  it('refuses what a UI must not send: long messages, big fields, too many entries, a bad level', async () => {
    const { client } = connectHarness();
    await expect(client.call('logs.write', { entries: [{ level: 'info', msg: 'ok', fields: { a: 1 } }] })).resolves.toEqual({ written: 1, crashId: null });
    expect(await errorCodeOf(client.call('logs.write', { entries: [{ level: 'info', msg: 'x'.repeat(2049) }] }))).toBe('INVALID_INPUT');
    expect(await errorCodeOf(client.call('logs.write', { entries: [{ level: 'info', msg: 'x', fields: { blob: 'y'.repeat(5000) } }] }))).toBe('INVALID_INPUT');
    expect(await errorCodeOf(client.call('logs.write', { entries: Array.from({ length: 51 }, () => ({ level: 'info' as const, msg: 'x' })) }))).toBe('INVALID_INPUT');
    expect(await errorCodeOf(client.call('logs.write', { entries: [] }))).toBe('INVALID_INPUT');
    expect(await errorCodeOf(client.call('logs.write', { entries: [{ level: 'loud' as 'info', msg: 'x' }] }))).toBe('INVALID_INPUT');
    expect(await errorCodeOf(client.call('logs.write', { process: 'headsetd' as 'renderer', entries: [{ level: 'info', msg: 'x' }] }))).toBe('INVALID_INPUT');
    // status-only connections (remote support) may not write into the log.
    expect(await settledCodeOf(connectHarness({ scopes: ['status'] }).client.call('logs.write', { entries: [{ level: 'info', msg: 'x' }] }))).toBe('FORBIDDEN');
  });
});
