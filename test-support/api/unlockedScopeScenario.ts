import { expect } from 'vitest';
import type { ApiClient } from '../../src/api/client.js';
import type { CallName, Scope } from '../../src/api/contract.js';
import { createFakeDevice, type FakeDevice } from './fakeDevice.js';
import { errorCodeOf } from './errorCodes.js';
import { TEST_UNLOCKED_CALL } from './testCalls.js';

/** What a local UI's transport grants (composition.ts's LOCAL_UI_SCOPES): everything but `unlocked`. */
export const LOCAL_UI: ReadonlySet<Scope> = new Set(['status', 'user', 'recovery']);
export const SCENARIO_PIN = '482913';
const IDLE_MS = 5 * 60_000;

/** A fake device with a PIN set and a monotonic clock the scenario moves. */
export function lockedDevice(): { device: FakeDevice; clock: { mono: number } } {
  const clock = { mono: 0 };
  const device = createFakeDevice({ lock: { pin: SCENARIO_PIN, idleMs: IDLE_MS, monotonic: () => clock.mono } });
  return { device, clock };
}

export interface OpenedClient {
  client: ApiClient;
  /** Closes the connection; resolves once the server side saw it close. */
  close(): Promise<void>;
}

const unlockedCall = (client: ApiClient, payload: string) => client.call(TEST_UNLOCKED_CALL as CallName, { payload } as never);

/** The error a call failed with, whole. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('Expected the call to fail, but it succeeded.');
    },
    (error: unknown) => error,
  );
}

/**
 * The `unlocked` scope over one transport, with the contract's real scope checks: a call in it is
 * refused while locked, allowed to the connection that gave the right PIN (not to another one),
 * and refused again after `lock.lock`, after the idle minutes, and once the connection closed.
 * `open` connects a new client whose transport grants LOCAL_UI.
 */
export async function checkUnlockedScope(device: FakeDevice, clock: { mono: number }, open: () => Promise<OpenedClient>): Promise<void> {
  const a = await open();
  const b = await open();

  expect(await failure(unlockedCall(a.client, 'locked'))).toMatchObject({ code: 'FORBIDDEN', details: { scope: 'unlocked' } });
  expect(await a.client.call('lock.status')).toMatchObject({ pin: 'set', unlocked: false, sessionEndsInMs: null });
  expect(await failure(a.client.call('lock.unlock', { pin: '000000' }))).toMatchObject({
    code: 'LOCK_WRONG_PIN',
    details: { failures: 1, retryAfterMs: 0 },
  });
  expect(await errorCodeOf(unlockedCall(a.client, 'still locked'))).toBe('FORBIDDEN');

  // The right PIN unlocks this connection only.
  expect(await a.client.call('lock.unlock', { pin: SCENARIO_PIN })).toMatchObject({ unlocked: true, sessionEndsInMs: IDLE_MS, failures: 0 });
  await expect(unlockedCall(a.client, 'a')).resolves.toEqual({ payload: 'a' });
  expect(await errorCodeOf(unlockedCall(b.client, 'b'))).toBe('FORBIDDEN');
  expect(await b.client.call('lock.status')).toMatchObject({ unlocked: false });

  // Each use restarts the idle time; idle minutes end the session.
  await b.client.call('lock.unlock', { pin: SCENARIO_PIN });
  clock.mono += IDLE_MS - 1;
  await expect(unlockedCall(a.client, 'used')).resolves.toEqual({ payload: 'used' });
  clock.mono += 2;
  await expect(unlockedCall(a.client, 'still in time')).resolves.toEqual({ payload: 'still in time' });
  expect(await errorCodeOf(unlockedCall(b.client, 'idle'))).toBe('FORBIDDEN');

  // Locking ends it at once.
  expect(await a.client.call('lock.lock')).toMatchObject({ unlocked: false });
  expect(await errorCodeOf(unlockedCall(a.client, 'locked again'))).toBe('FORBIDDEN');

  // A closed connection takes its session with it.
  await a.client.call('lock.unlock', { pin: SCENARIO_PIN });
  expect(device.lock.sessionCount).toBe(1);
  await a.close();
  await expect.poll(() => device.lock.sessionCount).toBe(0);
  await b.close();
}
