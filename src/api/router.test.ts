import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from './client.js';
import type { CallName, EventName, HealthSnapshot, SystemInfo } from './contract.js';
import { AppError, ERROR_CATALOGUE } from './errors.js';
import { sampleHealth, sampleInfo } from '../../test-support/api/samples.js';
import { createFakeDevice } from '../../test-support/api/fakeDevice.js';
import { connectHarness, type Harness } from '../../test-support/api/harness.js';
import { errorCodeOf } from '../../test-support/api/errorCodes.js';
import { HeldCalls, deferred } from '../../test-support/api/heldCalls.js';
import { createFakeRouter } from '../../test-support/api/harness.js';
import { TEST_UNLOCKED_CALL } from '../../test-support/api/testCalls.js';
import { LOCAL_UI, checkUnlockedScope, lockedDevice, type OpenedClient } from '../../test-support/api/unlockedScopeScenario.js';
import { ApiRouter } from './router.js';
import { createMemoryPortPair } from './memoryPort.js';
import type { Scope } from './contract.js';

/** After every bad message the connection must still answer a good call. */
async function expectStillServing(h: Harness): Promise<void> {
  await expect(h.client.call('system.ping', { payload: 'still here' })).resolves.toEqual({ payload: 'still here' });
}

describe('ApiRouter calls', () => {
  it("answers a valid call with the handler's output", async () => {
    const h = connectHarness();
    await expect(h.client.call('system.ping', { payload: 'hello' })).resolves.toEqual({ payload: 'hello' });
    await expect(h.client.call('system.info')).resolves.toEqual(sampleInfo);
    expect(h.internalErrors).toEqual([]);
  });

  it('passes the connection label and a live signal to the handler', async () => {
    const held = new HeldCalls();
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.ping': held.handler({ payload: 'late' }) } }) });
    const call = h.client.call('system.ping');
    await held.entered(1);
    expect(held.contexts[0]!.connection).toBe('memory test');
    expect(held.contexts[0]!.signal.aborted).toBe(false);
    held.releaseAll();
    await expect(call).resolves.toEqual({ payload: 'late' });
  });

  it('refuses input that does not match the schema with INVALID_INPUT and the offending paths', async () => {
    const h = connectHarness();
    const wrongType = await h.client.call('system.ping', { payload: 42 as unknown as string }).catch((e: unknown) => e);
    expect(wrongType).toBeInstanceOf(ApiError);
    expect(wrongType).toMatchObject({ code: 'INVALID_INPUT', details: [{ path: 'payload' }] });
    await expectStillServing(h);

    // Strict schemas: an unknown key is refused, not silently dropped.
    const extraKey = await h.client.call('system.info', { verbose: true } as never).catch((e: unknown) => e);
    expect(extraKey).toMatchObject({ code: 'INVALID_INPUT' });
    expect(JSON.stringify((extraKey as ApiError).details)).toContain('verbose');
    await expectStillServing(h);

    h.raw.send({ type: 'call', id: 900, method: 'system.ping', input: 'not an object' });
    expect(await h.raw.nextError(900)).toMatchObject({ code: 'INVALID_INPUT', details: [{ path: '' }] });
    await expectStillServing(h);
  });

  it('refuses an unknown method with UNKNOWN_METHOD', async () => {
    const h = connectHarness();
    const error = await h.client.call('system.selfDestruct' as CallName).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNKNOWN_METHOD' });
    expect((error as ApiError).message).toContain('system.selfDestruct');
    // Names inherited from Object.prototype are not calls either.
    expect(await errorCodeOf(h.client.call('toString' as CallName))).toBe('UNKNOWN_METHOD');
    expect(await errorCodeOf(h.client.call('__proto__' as CallName))).toBe('UNKNOWN_METHOD');
    await expectStillServing(h);
  });

  it("refuses a call outside the connection's scopes with FORBIDDEN, and never runs the handler", async () => {
    let ran = false;
    const device = createFakeDevice({
      mode: 'setup',
      overrides: { 'setup.complete': () => ((ran = true), { mode: 'settings', reason: 'setup-complete', setupComplete: true }) },
    });
    const h = connectHarness({ device, scopes: ['status'] });
    expect(await errorCodeOf(h.client.call('setup.complete'))).toBe('FORBIDDEN');
    expect(ran).toBe(false);
    // The status scope still works on the same connection.
    await expect(h.client.call('mode.get')).resolves.toMatchObject({ mode: 'setup' });
  });

  it('refuses calls in the wrong mode with WRONG_MODE', async () => {
    const h = connectHarness({ device: createFakeDevice({ mode: 'settings' }) });
    expect(await errorCodeOf(h.client.call('setup.complete'))).toBe('WRONG_MODE');
    expect(await errorCodeOf(h.client.call('recovery.restart'))).toBe('WRONG_MODE');
    h.device.mode = 'setup';
    expect(await errorCodeOf(h.client.call('recovery.restart'))).toBe('WRONG_MODE');
    // The mode is read per call: once in setup, setup.complete goes through.
    await expect(h.client.call('setup.complete')).resolves.toMatchObject({ mode: 'settings', setupComplete: true });
    h.device.mode = 'recovery';
    h.device.canRestart = true;
    await expect(h.client.call('recovery.restart')).resolves.toEqual({ restarting: true });
  });

  it('checks the scope before the mode', async () => {
    const h = connectHarness({ device: createFakeDevice({ mode: 'settings' }), scopes: ['status'] });
    expect(await errorCodeOf(h.client.call('recovery.restart'))).toBe('FORBIDDEN');
  });

  it('cancels a call when the caller aborts: the handler sees the signal, the caller gets CANCELLED', async () => {
    const held = new HeldCalls();
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    const controller = new AbortController();
    const call = h.client.call('system.ping', {}, { signal: controller.signal });
    await held.entered(1);
    controller.abort();
    expect(await errorCodeOf(call)).toBe('CANCELLED');
    expect(held.contexts[0]!.signal.aborted).toBe(true);
  });

  it('cancels a call whose signal was aborted before it was sent', async () => {
    const held = new HeldCalls();
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    expect(await errorCodeOf(h.client.call('system.ping', {}, { signal: AbortSignal.abort() }))).toBe('CANCELLED');
  });

  it('answers CANCELLED even when the handler ignores the signal and returns', async () => {
    const entered = deferred();
    const finish = deferred();
    const h = connectHarness({
      device: createFakeDevice({
        overrides: {
          'system.ping': async () => {
            entered.resolve();
            await finish.promise;
            return { payload: 'too late' };
          },
        },
      }),
    });
    const controller = new AbortController();
    const call = h.client.call('system.ping', {}, { signal: controller.signal });
    await entered.promise;
    controller.abort();
    await h.client.call('system.info'); // the cancel message has been handled
    finish.resolve();
    expect(await errorCodeOf(call)).toBe('CANCELLED');
  });

  it('refuses an id already in flight with DUPLICATE_ID and keeps the original call', async () => {
    const held = new HeldCalls();
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.ping': held.handler({ payload: 'original' }) } }) });
    h.raw.send({ type: 'call', id: 1000, method: 'system.ping', input: {} });
    await held.entered(1);
    h.raw.send({ type: 'call', id: 1000, method: 'system.info', input: {} });
    expect(await h.raw.nextError(1000)).toMatchObject({ code: 'DUPLICATE_ID' });
    // A subscription id is taken too, for calls and for subscriptions.
    h.raw.send({ type: 'subscribe', id: 1001, event: 'mode.changed' });
    await h.raw.next((m) => m.type === 'event' && m.id === 1001);
    h.raw.send({ type: 'call', id: 1001, method: 'system.info', input: {} });
    expect(await h.raw.nextError(1001)).toMatchObject({ code: 'DUPLICATE_ID' });
    h.raw.send({ type: 'subscribe', id: 1000, event: 'mode.changed' });
    expect(await h.raw.nextError(1000)).toMatchObject({ code: 'DUPLICATE_ID' });
    expect(held.contexts).toHaveLength(1);
    held.releaseAll();
    expect(await h.raw.next((m) => m.id === 1000)).toEqual({ type: 'ok', id: 1000, output: { payload: 'original' } });
    // Once answered, the id is free again.
    h.raw.send({ type: 'call', id: 1000, method: 'system.info', input: {} });
    expect(await h.raw.next((m) => m.id === 1000)).toEqual({ type: 'ok', id: 1000, output: sampleInfo });
  });

  it('refuses calls beyond maxInFlight with BUSY, and accepts more once some complete', async () => {
    const held = new HeldCalls();
    const h = connectHarness({ maxInFlight: 2, device: createFakeDevice({ overrides: { 'system.ping': held.handler({ payload: 'done' }) } }) });
    const first = h.client.call('system.ping');
    const second = h.client.call('system.ping');
    await held.entered(2);
    expect(await errorCodeOf(h.client.call('system.info'))).toBe('BUSY');
    held.releaseAll();
    await expect(Promise.all([first, second])).resolves.toEqual([{ payload: 'done' }, { payload: 'done' }]);
    await expect(h.client.call('system.info')).resolves.toEqual(sampleInfo);
  });
});

describe('ApiRouter errors from handlers', () => {
  it('turns a plain Error into INTERNAL: the details go to onInternalError, never to the caller', async () => {
    const failure = new Error('cannot open /dev/mmcblk0p7: permission denied');
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.info': () => Promise.reject(failure) } }) });
    const error = (await h.client.call('system.info').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe(ERROR_CATALOGUE.INTERNAL);
    expect(error.details).toBeUndefined();
    expect(JSON.stringify(h.raw.received)).not.toContain('mmcblk0p7');
    expect(h.internalErrors).toEqual([{ where: 'system.info', error: failure }]);
    await expectStillServing(h);
  });

  it('turns a synchronous throw into INTERNAL as well', async () => {
    const h = connectHarness({
      device: createFakeDevice({
        overrides: {
          'system.info': () => {
            throw new TypeError('undefined is not a function');
          },
        },
      }),
    });
    expect(await errorCodeOf(h.client.call('system.info'))).toBe('INTERNAL');
    expect(h.internalErrors).toHaveLength(1);
  });

  it('turns an AppError whose code the call does not declare into INTERNAL', async () => {
    const undeclared = new AppError('NOT_SUPPORTED', 'secret: no adapter for /sys/foo');
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.info': () => Promise.reject(undeclared) } }) });
    const error = (await h.client.call('system.info').catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('INTERNAL');
    expect(error.message).not.toContain('secret');
    expect(h.internalErrors).toEqual([{ where: 'system.info', error: undeclared }]);
  });

  it('passes a declared AppError through with its code, message and details', async () => {
    const h = connectHarness({ device: createFakeDevice({ mode: 'recovery' }) });
    const error = (await h.client.call('recovery.restart').catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'NOT_SUPPORTED', message: 'This device profile cannot restart itself.' });
    expect(h.internalErrors).toEqual([]);

    const withDetails = connectHarness({
      device: createFakeDevice({
        mode: 'recovery',
        overrides: { 'recovery.restart': () => Promise.reject(new AppError('NOT_SUPPORTED', undefined, { adapter: 'power' })) },
      }),
    });
    const detailed = (await withDetails.client.call('recovery.restart').catch((e: unknown) => e)) as ApiError;
    expect(detailed).toMatchObject({ code: 'NOT_SUPPORTED', message: ERROR_CATALOGUE.NOT_SUPPORTED, details: { adapter: 'power' } });
  });

  it('turns output that does not match the contract into INTERNAL and logs why', async () => {
    const broken = { ...sampleInfo, deviceProfile: 'toaster' } as unknown as SystemInfo;
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.info': () => broken } }) });
    expect(await errorCodeOf(h.client.call('system.info'))).toBe('INTERNAL');
    expect(h.internalErrors).toHaveLength(1);
    expect(h.internalErrors[0]!.where).toContain('system.info');
    expect(JSON.stringify(h.raw.received)).not.toContain('toaster');
    await expectStillServing(h);
  });

  it('strips output fields the contract does not declare', async () => {
    const leaky = { ...sampleInfo, privateKey: 'do-not-send' } as SystemInfo;
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.info': () => leaky } }) });
    await expect(h.client.call('system.info')).resolves.toEqual(sampleInfo);
    expect(JSON.stringify(h.raw.received)).not.toContain('do-not-send');
  });
});

describe('ApiRouter bad messages', () => {
  it('answers text that is not JSON with BAD_MESSAGE and id null', async () => {
    const h = connectHarness();
    h.raw.send('{"type":"call","id":7,');
    expect(await h.raw.nextError(null)).toMatchObject({ code: 'BAD_MESSAGE' });
    await expectStillServing(h);
    h.raw.send('');
    expect(await h.raw.nextError(null)).toMatchObject({ code: 'BAD_MESSAGE' });
    await expectStillServing(h);
  });

  it.each([
    ['an extra key', { type: 'call', id: 11, method: 'system.ping', input: {}, admin: true }, 11],
    ['an unknown type', { type: 'exec', id: 12, method: 'system.ping' }, 12],
    ['a string id', { type: 'call', id: '13', method: 'system.ping' }, null],
    ['a negative id', { type: 'call', id: -1, method: 'system.ping' }, null],
    ['a fractional id', { type: 'call', id: 1.5, method: 'system.ping' }, null],
    ['a method that is not a string', { type: 'call', id: 14, method: ['system.ping'] }, 14],
    ['an empty method', { type: 'call', id: 15, method: '' }, 15],
    ['a subscribe without event', { type: 'subscribe', id: 16 }, 16],
    ['an array', [{ type: 'call', id: 17, method: 'system.ping' }], null],
    ['null', null, null],
    ['a number', 42, null],
  ])('answers a message with %s with BAD_MESSAGE and keeps serving', async (_label, message, id) => {
    const h = connectHarness();
    h.raw.send(JSON.stringify(message));
    const error = await h.raw.nextError(id);
    expect(error.code).toBe('BAD_MESSAGE');
    expect(Array.isArray(error.details) && error.details.length > 0).toBe(true);
    await expectStillServing(h);
  });

  it('answers a message above maxMessageBytes with MESSAGE_TOO_LARGE and id null, counting UTF-8 bytes', async () => {
    const h = connectHarness({ maxMessageBytes: 1024 });
    h.raw.send({ type: 'call', id: 20, method: 'system.ping', input: { payload: 'x'.repeat(2000) } });
    expect(await h.raw.nextError(null)).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await expectStillServing(h);
    // 400 characters but 1200 bytes: the limit is on bytes.
    h.raw.send({ type: 'call', id: 21, method: 'system.ping', input: { payload: '€'.repeat(400) } });
    expect(await h.raw.nextError(null)).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await expectStillServing(h);
    // Just under the limit is fine.
    const payload = 'y'.repeat(900);
    await expect(h.client.call('system.ping', { payload })).resolves.toEqual({ payload });
  });
});

describe('ApiRouter events', () => {
  it('sends the current state at once on subscribe, then every change', async () => {
    const h = connectHarness();
    const seen: HealthSnapshot[] = [];
    const first = deferred();
    h.client.subscribe('health.changed', (payload) => {
      seen.push(payload);
      first.resolve();
    });
    await first.promise;
    expect(seen).toEqual([sampleHealth()]);
    h.device.events['health.changed'].channel.set(sampleHealth(80));
    h.device.events['health.changed'].channel.set(sampleHealth(90));
    await h.client.call('system.ping'); // answers come after the events sent before them
    expect(seen.map((s) => s.cpuLoadPercent)).toEqual([12, 80, 90]);
  });

  it('sends nothing on subscribe when the source has no state yet, then the first state', async () => {
    const h = connectHarness({ device: createFakeDevice({ health: null }) });
    const seen: number[] = [];
    h.client.subscribe('health.changed', (payload) => seen.push(payload.cpuLoadPercent));
    await h.client.call('system.ping');
    expect(seen).toEqual([]);
    h.device.events['health.changed'].channel.set(sampleHealth(33));
    await h.client.call('system.ping');
    expect(seen).toEqual([33]);
  });

  it('stops sending after unsubscribe and releases the source', async () => {
    const h = connectHarness();
    const source = h.device.events['mode.changed'];
    const seen: string[] = [];
    const unsubscribe = h.client.subscribe('mode.changed', (payload) => seen.push(payload.reason));
    await h.client.call('system.ping');
    expect(seen).toEqual(['default']);
    expect(source.subscribers()).toBe(1);
    unsubscribe();
    await h.client.call('system.ping');
    expect(source.subscribers()).toBe(0);
    source.channel.set({ mode: 'recovery', reason: 'recovery-button', setupComplete: true });
    await h.client.call('system.ping');
    expect(seen).toEqual(['default']);
    expect(h.raw.received.filter((m) => m.type === 'event')).toHaveLength(1);
  });

  it('refuses an unknown event with UNKNOWN_EVENT', async () => {
    const h = connectHarness();
    const error = await new Promise<ApiError>((resolve) => h.client.subscribe('health.exploded' as EventName, () => undefined, resolve));
    expect(error.code).toBe('UNKNOWN_EVENT');
    expect(await new Promise<ApiError>((resolve) => h.client.subscribe('constructor' as EventName, () => undefined, resolve))).toMatchObject({
      code: 'UNKNOWN_EVENT',
    });
    await expectStillServing(h);
  });

  it("refuses an event outside the connection's scopes with FORBIDDEN", async () => {
    const h = connectHarness({ scopes: ['user'] });
    const error = await new Promise<ApiError>((resolve) => h.client.subscribe('health.changed', () => undefined, resolve));
    expect(error.code).toBe('FORBIDDEN');
    expect(h.device.events['health.changed'].subscribers()).toBe(0);
  });
});

describe('ApiRouter connection close', () => {
  it('aborts in-flight handlers, releases subscriptions and rejects pending calls with DISCONNECTED', async () => {
    const held = new HeldCalls();
    const h = connectHarness({ device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    const closed = new Promise<void>((resolve) => h.client.onClose(resolve));
    h.client.subscribe('boot.changed', () => undefined);
    const first = h.client.call('system.ping');
    const second = h.client.call('system.ping');
    await held.entered(2);
    expect(h.device.events['boot.changed'].subscribers()).toBe(1);
    h.client.close();
    await closed;
    expect(await errorCodeOf(first)).toBe('DISCONNECTED');
    expect(await errorCodeOf(second)).toBe('DISCONNECTED');
    expect(held.contexts.map((c) => c.signal.aborted)).toEqual([true, true]);
    expect(h.device.events['boot.changed'].subscribers()).toBe(0);
    // A call after the close fails at once, without reaching the router.
    expect(await errorCodeOf(h.client.call('system.info'))).toBe('DISCONNECTED');
    expect(h.internalErrors).toEqual([]);
  });
});

describe('ApiClient limits', () => {
  it('refuses a call larger than the connection accepts, so it settles instead of hanging', async () => {
    const h = connectHarness();
    await expect(h.client.call('system.ping', { payload: 'x'.repeat(300 * 1024) })).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await expectStillServing(h);
  });
});

describe('ApiRouter and the `unlocked` scope (the device lock grants it per connection)', () => {
  /** A client on its own in-memory port pair to `router`, its transport granting `scopes`. */
  const openOn = (router: ApiRouter, scopes: ReadonlySet<Scope> = LOCAL_UI) =>
    async function open(): Promise<OpenedClient> {
      const [hostPort, clientPort] = createMemoryPortPair();
      router.connect(hostPort, { label: 'memory test', scopes });
      const client = new ApiClient(clientPort);
      return { client, close: async () => client.close() };
    };
  const unlockedCall = (client: ApiClient) => client.call(TEST_UNLOCKED_CALL as CallName, { payload: 'x' } as never);

  it('over an in-memory pair: refused while locked, allowed to the unlocked connection only, until lock, idle or close', async () => {
    const { device, clock } = lockedDevice();
    const { router } = createFakeRouter(device, { testCalls: true });
    await checkUnlockedScope(device, clock, openOn(router));
  });

  it('without a PIN a local UI holds it, a status-only connection never does; a transport may grant it outright', async () => {
    const device = createFakeDevice();
    const { router } = createFakeRouter(device, { testCalls: true });
    const ui = await openOn(router)();
    await expect(unlockedCall(ui.client)).resolves.toEqual({ payload: 'x' });
    expect(await ui.client.call('lock.status')).toMatchObject({ pin: 'none', unlocked: true, sessionEndsInMs: null });
    const support = await openOn(router, new Set<Scope>(['status']))();
    expect(await errorCodeOf(unlockedCall(support.client))).toBe('FORBIDDEN');
    expect(await support.client.call('lock.status')).toMatchObject({ unlocked: false });
    // Setting a PIN locks every other connection at once.
    await ui.client.call('lock.set', { pin: '4711' });
    const other = await openOn(router)();
    expect(await errorCodeOf(unlockedCall(other.client))).toBe('FORBIDDEN');
    await expect(unlockedCall(ui.client)).resolves.toEqual({ payload: 'x' });
    // A transport that grants `unlocked` itself (an operator's) is not asked about PINs.
    const operator = await openOn(router, new Set<Scope>(['status', 'user', 'unlocked']))();
    await expect(unlockedCall(operator.client)).resolves.toEqual({ payload: 'x' });
  });

  it('an unreadable lock file keeps every connection locked', async () => {
    const device = createFakeDevice({ lock: { unreadable: true } });
    const { router } = createFakeRouter(device, { testCalls: true });
    const ui = await openOn(router)();
    expect(await errorCodeOf(unlockedCall(ui.client))).toBe('FORBIDDEN');
    expect(await ui.client.call('lock.status')).toMatchObject({ pin: 'unreadable', unlocked: false });
  });

  it('the test-only call is served only by a router given it: the contract has no such call', async () => {
    const { router } = createFakeRouter(createFakeDevice());
    const ui = await openOn(router)();
    expect(await errorCodeOf(unlockedCall(ui.client))).toBe('UNKNOWN_METHOD');
  });
});

describe('ApiRouter onCallDone', () => {
  it('reports each answered call by name, scope and outcome, never its input', async () => {
    const device = createFakeDevice({ mode: 'settings' });
    const seen: { name: string; scope: Scope; connection: string; outcome: string }[] = [];
    const router = new ApiRouter(device.handlers, device.events, {
      mode: () => device.mode,
      scopeProvider: device.lock,
      onCallDone: (c) => seen.push(c),
    });
    const [hostPort, clientPort] = createMemoryPortPair();
    router.connect(hostPort, { label: 'kiosk', scopes: new Set<Scope>(['status', 'user']) });
    const client = new ApiClient(clientPort);
    await client.call('system.ping', { payload: 'secret-ish words' });
    await client.call('system.ping', { payload: 42 as unknown as string }).catch(() => undefined);
    await client.call('recovery.installFromUsb').catch(() => undefined);
    await client.call('nothing.here' as CallName).catch(() => undefined);
    expect(seen).toEqual([
      { name: 'system.ping', scope: 'status', connection: 'kiosk', outcome: 'ok' },
      { name: 'system.ping', scope: 'status', connection: 'kiosk', outcome: 'INVALID_INPUT' },
      { name: 'recovery.installFromUsb', scope: 'recovery', connection: 'kiosk', outcome: 'FORBIDDEN' },
    ]);
    expect(JSON.stringify(seen)).not.toContain('secret-ish');
  });
});
