import { describe, expect, it } from 'vitest';
import type { LockState } from '../api/contract.js';
import type { Scope } from '../api/contract/common.js';
import { AppError, type ErrorCode } from '../api/errors.js';
import { SecretRegistry } from '../secrets/SecretRegistry.js';
import { MemoryLockVault, testPinHasher } from '../../test-support/api/memoryLockVault.js';
import { deferred } from '../../test-support/api/heldCalls.js';
import { FIRST_WAIT_MS, MAX_WAIT_MS } from './backoff.js';
import { DeviceLock, type LockRecord, type PinHasher } from './DeviceLock.js';

const IDLE_MS = 5 * 60_000;
const UI: readonly Scope[] = ['status', 'user', 'recovery'];
const connection = (id: number, scopes: readonly Scope[] = UI) => ({ id, scopes: new Set(scopes) });

/** A lock over a memory vault with clocks the test moves. */
function makeLock(options: { kept?: LockRecord | 'unreadable'; vault?: MemoryLockVault; hasher?: PinHasher; secrets?: SecretRegistry } = {}) {
  const clock = { wall: Date.UTC(2026, 0, 1), mono: 1000 };
  const vault = options.vault ?? new MemoryLockVault(options.kept);
  const lock = new DeviceLock({
    vault,
    hasher: options.hasher ?? testPinHasher,
    idleMs: IDLE_MS,
    now: () => clock.wall,
    monotonic: () => clock.mono,
    secrets: options.secrets,
  });
  const advance = (ms: number) => {
    clock.wall += ms;
    clock.mono += ms;
  };
  return { lock, vault, clock, advance };
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: ErrorCode; details: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('expected the call to fail');
}

const unlocked = (lock: DeviceLock, id: number, scopes?: readonly Scope[]) => lock.grants(connection(id, scopes), 'unlocked');

describe('DeviceLock without a PIN', () => {
  it('grants `unlocked` to every connection holding `user`, never to a status-only one, and refuses what needs a PIN', async () => {
    const { lock } = makeLock();
    await lock.load();
    expect(lock.state.current()).toEqual({ pin: 'none', failures: 0, waitUntil: null });
    expect(unlocked(lock, 1)).toBe(true);
    expect(unlocked(lock, 2, ['status'])).toBe(false);
    // Only `unlocked` is ever granted.
    expect(lock.grants(connection(1, ['status']), 'user')).toBe(false);
    expect((await codeOf(lock.unlock(1, '1234'))).code).toBe('LOCK_NO_PIN');
    expect((await codeOf(lock.change(1, '1234', '5678'))).code).toBe('LOCK_NO_PIN');
    expect((await codeOf(lock.remove(1, '1234'))).code).toBe('LOCK_NO_PIN');
  });
});

describe('DeviceLock.set', () => {
  it('refuses a malformed PIN with its own code, and keeps nothing', async () => {
    const { lock, vault } = makeLock();
    await lock.load();
    expect(await codeOf(lock.set(1, '123'))).toEqual({ code: 'LOCK_PIN_TOO_SHORT', details: { minDigits: 4 } });
    expect((await codeOf(lock.set(1, ''))).code).toBe('LOCK_PIN_TOO_SHORT');
    expect(await codeOf(lock.set(1, '123456789'))).toEqual({ code: 'LOCK_PIN_TOO_LONG', details: { maxDigits: 8 } });
    for (const pin of ['12a4', '12 34', '١٢٣٤', '1234\n', '-1234', '12.5'])
      expect((await codeOf(lock.set(1, pin))).code, JSON.stringify(pin)).toBe('LOCK_PIN_NOT_DIGITS');
    expect(vault.writes).toBe(0);
    expect(lock.state.current()!.pin).toBe('none');
  });

  it('keeps the hash, unlocks the connection that set it and locks every other', async () => {
    const { lock, vault } = makeLock();
    await lock.load();
    await lock.set(1, '4711');
    expect(vault.kept).toEqual({ pinHash: 'test$4711', attempts: { failures: 0, waitUntil: 0 } });
    expect(lock.state.current()).toEqual({ pin: 'set', failures: 0, waitUntil: null });
    expect(unlocked(lock, 1)).toBe(true);
    expect(unlocked(lock, 2)).toBe(false);
    expect(lock.status(1, true)).toMatchObject({ pin: 'set', unlocked: true, sessionEndsInMs: IDLE_MS, idleMinutes: 5, retryAfterMs: 0 });
    expect(lock.status(2, false)).toMatchObject({ unlocked: false, sessionEndsInMs: null });
    expect((await codeOf(lock.set(2, '1111'))).code).toBe('LOCK_PIN_ALREADY_SET');
  });
});

describe('DeviceLock.unlock and the wait after wrong PINs', () => {
  it('a wrong PIN says how long to wait; two cost nothing, then the wait doubles from 30 s up to an hour', async () => {
    const { lock, advance } = makeLock({ kept: { pinHash: 'test$4711', attempts: { failures: 0, waitUntil: 0 } } });
    await lock.load();
    expect(await codeOf(lock.unlock(1, '0000'))).toEqual({ code: 'LOCK_WRONG_PIN', details: { failures: 1, retryAfterMs: 0 } });
    expect(await codeOf(lock.unlock(1, '0000'))).toEqual({ code: 'LOCK_WRONG_PIN', details: { failures: 2, retryAfterMs: 0 } });
    expect(await codeOf(lock.unlock(1, '0000'))).toEqual({ code: 'LOCK_WRONG_PIN', details: { failures: 3, retryAfterMs: FIRST_WAIT_MS } });
    expect(lock.state.current()).toEqual({ pin: 'set', failures: 3, waitUntil: new Date(Date.UTC(2026, 0, 1) + FIRST_WAIT_MS).toISOString() });

    // During the wait even the right PIN is refused, and the attempt is not counted.
    advance(10_000);
    expect(await codeOf(lock.unlock(1, '4711'))).toEqual({ code: 'LOCK_BACKING_OFF', details: { retryAfterMs: 20_000, failures: 3 } });
    expect(lock.status(1, false).retryAfterMs).toBe(20_000);

    const waits: number[] = [];
    for (let failures = 4; failures <= 12; failures++) {
      advance(lock.status(1, false).retryAfterMs);
      const { details } = await codeOf(lock.unlock(1, '0000'));
      waits.push((details as { retryAfterMs: number }).retryAfterMs);
    }
    expect(waits).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, MAX_WAIT_MS, MAX_WAIT_MS, MAX_WAIT_MS]);

    advance(MAX_WAIT_MS);
    await lock.unlock(1, '4711');
    expect(unlocked(lock, 1)).toBe(true);
    expect(lock.state.current()).toEqual({ pin: 'set', failures: 0, waitUntil: null });
  });

  it('refuses a malformed PIN without counting it', async () => {
    const { lock } = makeLock({ kept: { pinHash: 'test$4711', attempts: { failures: 0, waitUntil: 0 } } });
    await lock.load();
    expect((await codeOf(lock.unlock(1, '12'))).code).toBe('LOCK_PIN_TOO_SHORT');
    expect((await codeOf(lock.unlock(1, '1234567890'))).code).toBe('LOCK_PIN_TOO_LONG');
    expect((await codeOf(lock.unlock(1, 'abcd'))).code).toBe('LOCK_PIN_NOT_DIGITS');
    expect(lock.state.current()!.failures).toBe(0);
  });

  it('the wait survives a restart, and a clock set back cannot lengthen it', async () => {
    const vault = new MemoryLockVault({ pinHash: 'test$4711', attempts: { failures: 2, waitUntil: 0 } });
    const first = makeLock({ vault });
    await first.lock.load();
    await codeOf(first.lock.unlock(1, '0000'));

    const restarted = makeLock({ vault });
    await restarted.lock.load();
    restarted.advance(5_000);
    expect(await codeOf(restarted.lock.unlock(1, '4711'))).toEqual({ code: 'LOCK_BACKING_OFF', details: { retryAfterMs: 25_000, failures: 3 } });

    const setBack = makeLock({ vault });
    setBack.clock.wall -= 365 * 24 * 3600_000;
    await setBack.lock.load();
    expect(setBack.lock.status(1, false).retryAfterMs).toBe(FIRST_WAIT_MS);
  });

  it('counts an attempt before checking it: a process gone mid-check has it counted', async () => {
    const vault = new MemoryLockVault({ pinHash: 'test$4711', attempts: { failures: 0, waitUntil: 0 } });
    const never = deferred<boolean>();
    const { lock } = makeLock({ vault, hasher: { ...testPinHasher, verify: () => never.promise } });
    await lock.load();
    void lock.unlock(1, '4711').catch(() => undefined);
    await expect.poll(() => vault.writes).toBe(1);
    const after = makeLock({ vault });
    await after.lock.load();
    expect(after.lock.state.current()!.failures).toBe(1);
  });

  it('runs attempts one at a time: a burst cannot check several PINs inside one wait', async () => {
    const { lock } = makeLock({ kept: { pinHash: 'test$4711', attempts: { failures: 2, waitUntil: 0 } } });
    await lock.load();
    const results = await Promise.all(['0000', '1111', '2222', '4711'].map((pin) => codeOf(lock.unlock(1, pin))));
    expect(results.map((r) => r.code)).toEqual(['LOCK_WRONG_PIN', 'LOCK_BACKING_OFF', 'LOCK_BACKING_OFF', 'LOCK_BACKING_OFF']);
    expect(lock.state.current()!.failures).toBe(3);
  });
});

describe('DeviceLock sessions', () => {
  it('are bound to their connection and end when idle, when locked, and when the connection closes', async () => {
    const { lock, advance } = makeLock({ kept: { pinHash: 'test$4711', attempts: { failures: 0, waitUntil: 0 } } });
    await lock.load();
    await lock.unlock(1, '4711');
    await lock.unlock(2, '4711');
    expect([unlocked(lock, 1), unlocked(lock, 2), unlocked(lock, 3)]).toEqual([true, true, false]);

    // Use restarts the idle time; without it the session ends.
    advance(IDLE_MS - 1000);
    lock.used(connection(1));
    advance(2000);
    expect([unlocked(lock, 1), unlocked(lock, 2)]).toEqual([true, false]);
    expect(lock.status(1, true).sessionEndsInMs).toBe(IDLE_MS - 2000);
    // An ended session is not brought back by use.
    lock.used(connection(2));
    expect(unlocked(lock, 2)).toBe(false);

    lock.lock(1);
    expect(unlocked(lock, 1)).toBe(false);
    await lock.unlock(1, '4711');
    lock.closed(connection(1));
    expect(unlocked(lock, 1)).toBe(false);
    expect(lock.sessionCount).toBe(0);
  });
});

describe('DeviceLock.change and remove', () => {
  it('change needs the current PIN; the right one replaces it and ends the other sessions', async () => {
    const { lock, vault } = makeLock({ kept: { pinHash: 'test$4711', attempts: { failures: 0, waitUntil: 0 } } });
    await lock.load();
    expect((await codeOf(lock.change(1, undefined, '5555'))).code).toBe('LOCK_PIN_REQUIRED');
    expect((await codeOf(lock.change(1, '', '5555'))).code).toBe('LOCK_PIN_REQUIRED');
    expect((await codeOf(lock.change(1, '4711', '55'))).code).toBe('LOCK_PIN_TOO_SHORT');
    expect(await codeOf(lock.change(1, '0000', '5555'))).toEqual({ code: 'LOCK_WRONG_PIN', details: { failures: 1, retryAfterMs: 0 } });
    expect(vault.kept).toMatchObject({ pinHash: 'test$4711' });

    await lock.unlock(2, '4711');
    await lock.change(1, '4711', '5555');
    expect(vault.kept).toEqual({ pinHash: 'test$5555', attempts: { failures: 0, waitUntil: 0 } });
    expect([unlocked(lock, 1), unlocked(lock, 2)]).toEqual([true, false]);
    expect((await codeOf(lock.unlock(3, '4711'))).code).toBe('LOCK_WRONG_PIN');
    await lock.unlock(3, '5555');
  });

  it('remove needs the PIN; then every local UI is unlocked', async () => {
    const { lock, vault } = makeLock({ kept: { pinHash: 'test$4711', attempts: { failures: 0, waitUntil: 0 } } });
    await lock.load();
    expect((await codeOf(lock.remove(1, undefined))).code).toBe('LOCK_PIN_REQUIRED');
    expect((await codeOf(lock.remove(1, '1234'))).code).toBe('LOCK_WRONG_PIN');
    expect(unlocked(lock, 1)).toBe(false);
    await lock.remove(1, '4711');
    expect(vault.kept).toBeUndefined();
    expect(lock.state.current()).toEqual({ pin: 'none', failures: 0, waitUntil: null });
    expect([unlocked(lock, 1), unlocked(lock, 2), unlocked(lock, 3, ['status'])]).toEqual([true, true, false]);
  });
});

describe('DeviceLock with an unreadable record', () => {
  it('fails closed: locked for everyone, every change refused with LOCK_FILE_CORRUPT, never taken for "no PIN"', async () => {
    const { lock, vault } = makeLock({ kept: 'unreadable' });
    const pushed: LockState[] = [];
    lock.state.subscribe((state) => pushed.push(state));
    await lock.load();
    expect(pushed).toEqual([{ pin: 'unreadable', failures: 0, waitUntil: null }]);
    expect(unlocked(lock, 1)).toBe(false);
    expect(lock.status(1, false)).toMatchObject({ pin: 'unreadable', unlocked: false });
    for (const attempt of [lock.set(1, '1234'), lock.unlock(1, '1234'), lock.change(1, '1234', '5678'), lock.remove(1, '1234')])
      expect((await codeOf(attempt)).code).toBe('LOCK_FILE_CORRUPT');
    expect(vault.writes).toBe(0);
  });

  it('before it is read, the lock is closed too', () => {
    const { lock } = makeLock();
    expect(unlocked(lock, 1)).toBe(false);
  });
});

describe('DeviceLock and the secret registry', () => {
  it('registers each PIN while it is handled, and lets go when the answer is given', async () => {
    const secrets = new SecretRegistry();
    const checking = deferred<boolean>();
    const entered = deferred();
    const hasher: PinHasher = {
      ...testPinHasher,
      verify: (hash, pin) => {
        entered.resolve();
        return checking.promise.then((right) => right && hash === `test$${pin}`);
      },
    };
    const { lock } = makeLock({ kept: { pinHash: 'test$4711', attempts: { failures: 0, waitUntil: 0 } }, hasher, secrets });
    await lock.load();
    const change = lock.change(1, '4711', '930521');
    await entered.promise;
    expect(secrets.labels()).toEqual(['PIN', 'PIN']);
    expect(secrets.redact('old 4711, new 930521; 47110 bytes')).toBe('old [redacted], new [redacted]; 47110 bytes');
    checking.resolve(true);
    await change;
    expect(secrets.size).toBe(0);
    // A failed call lets go too; a value too short for the registry is refused before anything holds it.
    await codeOf(lock.unlock(1, '0000'));
    await codeOf(lock.unlock(1, '12'));
    expect(secrets.size).toBe(0);
  });
});
