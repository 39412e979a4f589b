import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import { RotatingLogFile } from './RotatingLogFile.js';
import { Logger } from './Logger.js';

const dir = mkdtempSync(join(tmpdir(), 'logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const context = { version: '1.2.3', commit: 'abc123', bootId: 'boot-1' };

function records(path: string): LogRecord[] {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as LogRecord);
}

describe('Logger and RotatingLogFile', () => {
  it('writes one JSON line per entry with build, boot, subsystem and an unbroken sequence', async () => {
    const file = await RotatingLogFile.open({ dir, stream: 'a' });
    const logger = new Logger(context, [file], 'info');
    logger.for('update').info('installed', { version: '1.1.0' });
    logger.for('boot').debug('not written: below the level');
    logger.for('api').error('failed', { code: 'INTERNAL' });
    await file.whenWritten();
    const written = records(file.path);
    expect(written.map((r) => [r.seq, r.level, r.subsystem, r.msg])).toEqual([
      [1, 'info', 'update', 'installed'],
      [2, 'error', 'api', 'failed'],
    ]);
    expect(written[0]).toMatchObject({ version: '1.2.3', commit: 'abc123', bootId: 'boot-1', fields: { version: '1.1.0' } });
    expect(Date.parse(written[0]!.time)).toBeGreaterThan(0);
    // A new boot starts a new sequence.
    logger.setBootId('boot-2');
    logger.for('boot').info('booted');
    await file.whenWritten();
    expect(records(file.path).at(-1)).toMatchObject({ bootId: 'boot-2', seq: 1 });
    file.close();
  });

  it('batches: thousands of lines reach the file in order, none lost', async () => {
    const file = await RotatingLogFile.open({ dir, stream: 'b' });
    const logger = new Logger(context, [file]);
    for (let i = 0; i < 20_000; i++) logger.for('system').info('line', { i });
    await file.whenWritten();
    const written = records(file.path);
    expect(written).toHaveLength(20_000);
    expect(written.every((r, i) => r.seq === i + 1)).toBe(true);
    file.close();
  });

  it('bounds its buffer when the disk cannot keep up, counting what it dropped', async () => {
    const file = await RotatingLogFile.open({ dir, stream: 'c', maxBufferedBytes: 10_000, batchBytes: 1e9, flushDelayMs: 60_000 });
    const logger = new Logger(context, [file]);
    for (let i = 0; i < 1000; i++) logger.for('system').info('x'.repeat(100));
    expect(file.dropped).toBeGreaterThan(0);
    file.close();
    expect(records(file.path).length + file.dropped).toBe(1000);
  });

  it('a crash still leaves every line on disk: the exit handler flushes synchronously', () => {
    const path = join(dir, 'crash.log');
    // The child runs the real RotatingLogFile, bundled (Node 20 cannot run TypeScript itself).
    const bundled = join(dir, 'RotatingLogFile.mjs');
    buildSync({
      entryPoints: [join(import.meta.dirname, 'RotatingLogFile.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundled,
      logLevel: 'silent',
    });
    const script = `
      import { RotatingLogFile } from ${JSON.stringify(bundled)};
      const file = await RotatingLogFile.open({ dir: ${JSON.stringify(dir)}, stream: 'crash' });
      process.on('uncaughtException', (error) => { file.append(JSON.stringify({ msg: 'crash: ' + error.message }) + '\\n'); file.flushSync(); process.exit(70); });
      for (let i = 0; i < 20000; i++) file.append(JSON.stringify({ i }) + '\\n');
      throw new Error('boom');`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.status).toBe(70);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(20_001);
    expect(lines.at(-1)).toContain('crash: boom');
  });
});
