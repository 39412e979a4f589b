import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../src/api/client.js';
import { createMemoryPortPair } from '../../../src/api/memoryPort.js';
import type { Port } from '../../../src/api/port.js';
import { ReconnectBackoff } from '../../../src/api/reconnectBackoff.js';
import type { ReconnectTimers } from '../../../src/api/ReconnectingClient.js';
import { createFakeDevice } from '../../../test-support/api/fakeDevice.js';
import { ALL_SCOPES, createFakeRouter } from '../../../test-support/api/harness.js';
import { sampleInfo, sampleUpdateStatus } from '../../../test-support/api/samples.js';
import { bindStores } from '../app/bindStores.js';
import { useModeStore } from '../mode/modeStore.js';
import { useDeviceStore } from '../system/deviceStore.js';
import { useUpdateStore } from '../update/updateStore.js';
import { connectHeadset } from './connectHeadset.js';
import { useConnectionStore } from './connectionStore.js';
import { useReconnectStore } from './reconnectStore.js';

const until = (check: () => boolean) => expect.poll(check, { timeout: 2000, interval: 5 }).toBe(true);

/** Timers moved by hand; `fire` runs the pending one at once. */
function manualTimers() {
  let time = 5_000_000;
  let pending: { run: () => void; at: number } | undefined;
  const timers: ReconnectTimers = {
    setTimeout: (run, ms) => (pending = { run, at: time + ms }),
    clearTimeout: (handle) => void (pending === handle && (pending = undefined)),
    now: () => time,
  };
  return {
    timers,
    pending: () => pending,
    fire() {
      const timer = pending!;
      pending = undefined;
      time = timer.at;
      timer.run();
    },
  };
}

/** headsetd behind the real router: `stop()` closes the live connection and refuses new ones until `restart()`. */
function headset() {
  let device = createFakeDevice();
  let router = createFakeRouter(device).router;
  let up = true;
  const hostPorts: Port[] = [];
  return {
    device: () => device,
    open: async (): Promise<Port> => {
      if (!up) throw new Error('The headset did not answer.');
      const [host, client] = createMemoryPortPair();
      router.connect(host, { label: 'page', scopes: new Set(ALL_SCOPES) });
      hostPorts.push(host);
      return client;
    },
    stop() {
      up = false;
      for (const port of hostPorts) port.close();
    },
    /** A new headsetd process: new services, whatever state they start in. */
    restart(configure: (device: ReturnType<typeof createFakeDevice>) => void = () => undefined) {
      device = createFakeDevice();
      configure(device);
      router = createFakeRouter(device).router;
      up = true;
    },
  };
}

describe('connectHeadset', () => {
  beforeEach(() => {
    useConnectionStore.setState({ status: 'connecting' }, true);
    useReconnectStore.setState({ phase: { status: 'idle' } });
    useDeviceStore.setState({ info: undefined, identity: undefined });
    useModeStore.setState({ state: undefined });
    useUpdateStore.setState({ status: undefined, history: undefined });
  });

  it('binds the stores again to each new connection after headsetd comes back, and hands the screens the new client', async () => {
    const h = headset();
    const t = manualTimers();
    const clients: ApiClient[] = [];
    const connection = connectHeadset({
      open: h.open,
      bindStores,
      onClient: (c) => clients.push(c),
      timers: t.timers,
      backoff: new ReconnectBackoff({ baseMs: 100, maxMs: 1000, jitter: 0.5 }, () => 0),
    });
    await until(() => useConnectionStore.getState().status === 'connected');
    expect(useDeviceStore.getState().info).toEqual(sampleInfo);
    await until(() => useModeStore.getState().state?.mode === 'settings');
    await until(() => h.device().events['update.changed'].subscribers() === 1);
    const subscriptions = () => Object.fromEntries(Object.entries(h.device().events).map(([name, source]) => [name, source.subscribers()]));
    const bound = subscriptions();

    h.stop();
    expect(useConnectionStore.getState()).toEqual({ status: 'disconnected', reason: 'The connection to the headset closed.' });
    expect(useReconnectStore.getState().phase).toMatchObject({ status: 'waiting', failures: 1, reason: 'The connection to the headset closed.' });
    // What the page showed stays while it is away.
    expect(useDeviceStore.getState().info).toEqual(sampleInfo);

    // It comes back as a new process with a new app version and a finished update.
    h.restart((device) => {
      device.handlers['system.info'] = () => ({ ...sampleInfo, appVersion: '0.2.0' });
      device.events['update.changed'].channel.set({ ...sampleUpdateStatus, state: { status: 'up-to-date' } });
    });
    t.fire();
    await until(() => useConnectionStore.getState().status === 'connected');
    expect(useReconnectStore.getState().phase).toEqual({ status: 'connected' });
    expect(useDeviceStore.getState().info?.appVersion).toBe('0.2.0');
    await until(() => useUpdateStore.getState().status?.state.status === 'up-to-date');
    // The screens got the new client, and the new headsetd has the page's subscriptions, as the first had: once each.
    expect(clients).toHaveLength(2);
    expect(clients[1]).not.toBe(clients[0]);
    expect(connection.client).toBe(clients[1]);
    await expect.poll(subscriptions, { timeout: 2000, interval: 5 }).toEqual(bound);
    expect(Object.values(bound).filter((n) => n === 1).length).toBeGreaterThanOrEqual(5);
    expect(Object.values(bound).every((n) => n <= 1)).toBe(true);
    // Pushes from the new headsetd reach the stores.
    h.device().events['mode.changed'].channel.set({ mode: 'recovery', reason: 'recovery-button', setupComplete: true });
    await until(() => useModeStore.getState().state?.mode === 'recovery');
    connection.stop();
  });

  it('a first connection that fails says so, and Retry from the store tries at once', async () => {
    const h = headset();
    h.stop();
    const t = manualTimers();
    const connection = connectHeadset({
      open: h.open,
      bindStores,
      onClient: () => undefined,
      timers: t.timers,
      backoff: new ReconnectBackoff({ baseMs: 100, maxMs: 60_000, jitter: 0.5 }, () => 0),
    });
    await until(() => useConnectionStore.getState().status === 'disconnected');
    expect(useConnectionStore.getState()).toEqual({ status: 'disconnected', reason: 'The headset did not answer.' });
    t.fire();
    await until(() => useReconnectStore.getState().phase.status === 'waiting' && t.pending()?.at === 5_000_000 + 100 + 200);

    h.restart();
    useReconnectStore.getState().retry();
    await until(() => useConnectionStore.getState().status === 'connected');
    // The wait Retry dropped never fires a second attempt.
    expect(t.pending()).toBeUndefined();
    connection.stop();
  });
});
