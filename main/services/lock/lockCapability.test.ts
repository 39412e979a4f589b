import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/api/client.js';
import type { CallHandlers, CallName, EventSources, Scope } from '../../../src/api/contract.js';
import { createMemoryPortPair } from '../../../src/api/memoryPort.js';
import { ApiRouter } from '../../../src/api/router.js';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import { FIRST_WAIT_MS } from '../../../src/lock/backoff.js';
import { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import { errorCodeOf } from '../../../test-support/api/errorCodes.js';
import { TEST_UNLOCKED_CALL, addTestHandlers, testCalls } from '../../../test-support/api/testCalls.js';
import { Logger } from '../logging/Logger.js';
import { lockCapability, lockFilePath } from './lockCapability.js';
import { LOCK_FILE_FORMAT } from './LockFile.js';

const LOCAL_UI = new Set<Scope>(['status', 'user', 'recovery']);
/** libsodium's smallest Argon2id cost: these tests are about the lock, not about Argon2's speed. */
const FAST = { ops: 1, memoryBytes: 8192 };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** headsetd's lock capability behind the real router (with a test-only `unlocked` call), on `dir`. */
async function startLock(options: { interactiveCost?: boolean } = {}) {
  const records: LogRecord[] = [];
  const logger = new Logger({ version: 'test', commit: 'test', bootId: 'boot' }, [{ append: (line) => records.push(JSON.parse(line) as LogRecord) }]);
  const secrets = new SecretRegistry();
  const capability = lockCapability({ stateDir: dir, secrets, log: logger.for('lock'), cost: options.interactiveCost ? undefined : FAST });
  await capability.start!();
  const handlers = { ...capability.handlers } as CallHandlers;
  addTestHandlers(handlers);
  const router = new ApiRouter(handlers, capability.events as EventSources, {
    mode: () => 'settings',
    scopeProvider: capability.provides.scopes,
    calls: testCalls,
  });
  const connect = () => {
    const [host, client] = createMemoryPortPair();
    router.connect(host, { label: 'test', scopes: LOCAL_UI });
    return new ApiClient(client);
  };
  return { connect, records, secrets };
}

const unlockedCall = (client: ApiClient) => client.call(TEST_UNLOCKED_CALL as CallName, { payload: 'x' } as never);

describe('lock capability (Argon2id, lock.json, the router)', () => {
  it('keeps the PIN as an Argon2id hash at the interactive cost in a 0600 file, never the PIN itself', async () => {
    const { connect } = await startLock({ interactiveCost: true });
    const client = connect();
    expect(await client.call('lock.set', { pin: '730164' })).toMatchObject({ pin: 'set', unlocked: true });
    const file = lockFilePath(dir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('730164');
    const kept = JSON.parse(text) as { format: number; pinHash: string; failures: number; waitUntil: number };
    expect(kept).toMatchObject({ format: LOCK_FILE_FORMAT, failures: 0, waitUntil: 0 });
    expect(kept.pinHash).toMatch(/^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
    // Another connection unlocks with it over the router.
    const other = connect();
    expect(await errorCodeOf(unlockedCall(other))).toBe('FORBIDDEN');
    await other.call('lock.unlock', { pin: '730164' });
    await expect(unlockedCall(other)).resolves.toEqual({ payload: 'x' });
  });

  it('the wait after wrong PINs survives a restart', async () => {
    const first = await startLock();
    const client = first.connect();
    await client.call('lock.set', { pin: '4711' });
    for (let i = 0; i < 3; i++) await errorCodeOf(client.call('lock.unlock', { pin: '0000' }));
    expect(JSON.parse(await readFile(lockFilePath(dir), 'utf8'))).toMatchObject({ failures: 3 });

    const restarted = (await startLock()).connect();
    const status = await restarted.call('lock.status');
    expect(status).toMatchObject({ pin: 'set', failures: 3, unlocked: false });
    expect(status.retryAfterMs).toBeGreaterThan(FIRST_WAIT_MS - 10_000);
    expect(status.retryAfterMs).toBeLessThanOrEqual(FIRST_WAIT_MS);
    await expect(restarted.call('lock.unlock', { pin: '4711' })).rejects.toMatchObject({ code: 'LOCK_BACKING_OFF' });
  });

  it('remove deletes the file: after a restart there is no PIN and a local UI is unlocked', async () => {
    const client = (await startLock()).connect();
    await client.call('lock.set', { pin: '4711' });
    await client.call('lock.remove', { pin: '4711' });
    await expect(stat(lockFilePath(dir))).rejects.toMatchObject({ code: 'ENOENT' });
    const restarted = (await startLock()).connect();
    expect(await restarted.call('lock.status')).toMatchObject({ pin: 'none', unlocked: true });
    await expect(unlockedCall(restarted)).resolves.toEqual({ payload: 'x' });
  });

  const argon = '$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
  const record = (change: Record<string, unknown>) => JSON.stringify({ format: 1, pinHash: argon, failures: 0, waitUntil: 0, ...change });
  const corruptions: [string, string][] = [
    ['empty', ''],
    ['not JSON', '{"format":1,"pinHash":"$argon2id$'],
    ['null', 'null'],
    ['an array', '[]'],
    ['no PIN hash', JSON.stringify({ format: 1, failures: 0, waitUntil: 0 })],
    ['a null PIN hash', record({ pinHash: null })],
    ['an unknown format', record({ format: 2 })],
    ['a plain PIN', record({ pinHash: '4711' })],
    ['an Argon2i hash', record({ pinHash: argon.replace('argon2id', 'argon2i') })],
    ['an absurd memory cost', record({ pinHash: argon.replace('m=65536', 'm=99999999') })],
    ['negative failures', record({ failures: -1 })],
    ['fractional failures', record({ failures: 1.5 })],
    ['a wait as text', record({ waitUntil: 'later' })],
    ['an extra field', record({ unlocked: true })],
  ];

  it.each(corruptions)('a lock file with %s fails closed: locked, every change refused, the file left as it is', async (_name, content) => {
    await writeFile(lockFilePath(dir), content);
    const { connect, records } = await startLock();
    const client = connect();
    expect(await client.call('lock.status')).toMatchObject({ pin: 'unreadable', unlocked: false });
    expect(await errorCodeOf(unlockedCall(client))).toBe('FORBIDDEN');
    for (const attempt of [
      client.call('lock.unlock', { pin: '4711' }),
      client.call('lock.set', { pin: '4711' }),
      client.call('lock.change', { oldPin: '4711', newPin: '5555' }),
      client.call('lock.remove', { pin: '4711' }),
    ])
      expect(await errorCodeOf(attempt)).toBe('LOCK_FILE_CORRUPT');
    expect(await readFile(lockFilePath(dir), 'utf8')).toBe(content);
    expect(records.some((r) => r.level === 'error' && r.subsystem === 'lock' && r.msg.startsWith('the lock file '))).toBe(true);
  });

  it('a lock file that cannot be read at all (a folder in its place) fails closed too', async () => {
    await mkdir(lockFilePath(dir));
    const client = (await startLock()).connect();
    expect(await client.call('lock.status')).toMatchObject({ pin: 'unreadable', unlocked: false });
    expect(await errorCodeOf(client.call('lock.set', { pin: '4711' }))).toBe('LOCK_FILE_CORRUPT');
  });

  it('logs what happened, never the PIN; the PIN is registered only while handled', async () => {
    const { connect, records, secrets } = await startLock();
    const client = connect();
    await client.call('lock.set', { pin: '5190' });
    await errorCodeOf(client.call('lock.unlock', { pin: '5191' }));
    await client.call('lock.change', { oldPin: '5190', newPin: '5192' });
    await client.call('lock.remove', { pin: '5192' });
    const text = records.map((r) => JSON.stringify(r)).join('\n');
    // Worded so the patterns that cut what follows "PIN" leave the lines readable.
    expect(records.map((r) => r.msg)).toEqual(['set a new PIN', 'wrong PIN', 'changed the PIN', 'removed the PIN']);
    for (const pin of ['5190', '5191', '5192']) expect(text).not.toContain(pin);
    expect(secrets.size).toBe(0);
  });
});
