import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrashRecord } from '../services/logging/CrashRecorder.js';

/**
 * A real headsetd composition in a child process that crashes: its crash handler must leave a
 * complete crash record (stack, recent log lines, the last health snapshot) and the fatal log line.
 */
const repo = resolve(import.meta.dirname, '../..');
// Inside the repository, so the bundle's external packages resolve from its node_modules.
const buildDir = mkdtempSync(join(repo, 'node_modules', '.cache-crash-test-'));
const roots = mkdtempSync(join(tmpdir(), 'crash-child-'));
const child = join(buildDir, 'child.mjs');

beforeAll(() => {
  const entry = join(buildDir, 'entry.ts');
  writeFileSync(
    entry,
    `
    import { createHeadset } from ${JSON.stringify(join(repo, 'main/host/composition.ts'))};
    import { installCrashHandlers } from ${JSON.stringify(join(repo, 'main/host/crashHandlers.ts'))};
    const [root, kind] = process.argv.slice(2);
    const headset = await createHeadset({ device: 'simulated', root, build: { version: '9.9.9', commit: 'feedface', builtAt: '' }, mode: 'settings', healthIntervalMs: 60000 });
    installCrashHandlers(headset);
    headset.logger.for('update').info('about to fail');
    function explodeInsideTheService() { throw new TypeError('child boom'); }
    function failWithSecrets() { throw new Error('join failed: Wi-Fi password is "correct horse battery", PIN 4711, account anna.berg@example.org'); }
    // A secret the headset knows (as the network capability registers it), in words no pattern recognises.
    if (kind === 'registered') headset.secrets.register('HomeNet-s3cret!pw', 'wifi password HomeNet');
    function failWithKnownSecret() { throw new Error('wpa_supplicant: the wifi key for HomeNet is HomeNet-s3cret!pw'); }
    setTimeout(() => (kind === 'reject' ? void Promise.reject(new RangeError('rejected boom')) : kind === 'secret' ? failWithSecrets() : kind === 'registered' ? failWithKnownSecret() : explodeInsideTheService()), 10);
  `,
  );
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: child,
    logLevel: 'silent',
    sourcemap: 'inline',
  });
});
afterAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(roots, { recursive: true, force: true });
});

function crashChild(kind: 'throw' | 'reject' | 'secret' | 'registered') {
  const root = join(roots, kind);
  mkdirSync(root);
  const result = spawnSync(process.execPath, ['--enable-source-maps', child, root, kind], { encoding: 'utf8', timeout: 30_000 });
  const dir = join(root, 'data', 'crashes');
  const records = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as CrashRecord);
  const logDir = join(root, 'data', 'logs');
  const log = readdirSync(logDir)
    .map((n) => {
      try {
        return readFileSync(join(logDir, n), 'utf8');
      } catch {
        return '';
      }
    })
    .join('');
  return { result, records, log };
}

describe('headsetd crash handlers', () => {
  it('an uncaught exception leaves a crash record with the stack, the recent lines and the last health snapshot', () => {
    const { result, records, log } = crashChild('throw');
    expect(result.status).toBe(70);
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record).toMatchObject({ process: 'headsetd', version: '9.9.9', commit: 'feedface', error: { name: 'TypeError', message: 'child boom' } });
    expect(record.bootId).toMatch(/\S/);
    expect(record.error.stack).toContain('explodeInsideTheService');
    const msgs = (record.recentLines as { msg: string }[]).map((l) => l.msg);
    expect(msgs.some((m) => m.startsWith('headsetd started'))).toBe(true);
    expect(msgs).toContain('about to fail');
    expect(msgs.at(-1)).toBe('uncaught exception: child boom');
    expect(record.health).not.toBeNull();
    expect(record.health!.gps).toMatchObject({ locked: false });
    expect(record.health!.battery!.percent).toBeGreaterThan(0);
    // The fatal line reached the log file before the exit.
    expect(log).toContain('"level":"fatal"');
    expect(log).toContain('uncaught exception: child boom');
  });

  it('a crash whose message carries a Wi-Fi password, a PIN and an e-mail address leaves none of them in the crash record, the log or stderr', () => {
    const { result, records, log } = crashChild('secret');
    expect(result.status).toBe(70);
    expect(records).toHaveLength(1);
    expect(records[0]!.error.stack).toContain('failWithSecrets');
    const dir = join(roots, 'secret', 'data', 'crashes');
    const written = readdirSync(dir)
      .map((n) => readFileSync(join(dir, n), 'utf8'))
      .join('');
    for (const secret of ['correct horse battery', '4711', 'anna.berg@example.org']) {
      expect(written).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
    expect(records[0]!.error.message).toContain('[email]');
    // stderr (the systemd journal) gets the stack, redacted the same way.
    expect(result.stderr).toContain('failWithSecrets');
    for (const secret of ['correct horse battery', '4711', 'anna.berg@example.org']) {
      expect(result.stderr).not.toContain(secret);
      expect(result.stdout).not.toContain(secret);
    }
  });

  it('a crash whose message quotes a registered secret in plain words leaves it in neither the crash record, the log nor stderr', () => {
    const { result, records, log } = crashChild('registered');
    expect(result.status).toBe(70);
    expect(records[0]!.error.message).toBe('wpa_supplicant: the wifi key for HomeNet is [redacted]');
    expect(result.stderr).toContain('the wifi key for HomeNet is [redacted]');
    for (const text of [JSON.stringify(records), log, result.stderr, result.stdout]) expect(text).not.toContain('s3cret');
  });

  it('an unhandled rejection does the same', () => {
    const { result, records } = crashChild('reject');
    expect(result.status).toBe(70);
    expect(records).toHaveLength(1);
    expect(records[0]!.error).toMatchObject({ name: 'RangeError', message: 'rejected boom' });
    expect((records[0]!.recentLines as { msg: string }[]).at(-1)!.msg).toBe('unhandled rejection: rejected boom');
  });
});
