import { describe, expect, it } from 'vitest';
import { createFakeDevice } from '../../test-support/api/fakeDevice.js';
import { ALL_SCOPES, createFakeRouter } from '../../test-support/api/harness.js';
import type { ApiClient } from './client.js';
import { createMemoryPortPair } from './memoryPort.js';
import type { Port } from './port.js';
import { ReconnectBackoff } from './reconnectBackoff.js';
import { ReconnectingClient, type ReconnectPhase, type ReconnectTimers } from './ReconnectingClient.js';

/** Timers moved by hand: `advance` runs what is due. */
class ManualTimers implements ReconnectTimers {
  private time = 1_000_000;
  private nextId = 1;
  readonly pending = new Map<number, { at: number; run: () => void }>();
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, run });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.pending]) {
      if (timer.at > this.time) continue;
      this.pending.delete(id);
      timer.run();
    }
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * A headset that can go away and come back: `open` gives a port to the real router over an
 * in-memory pair while it is up, and fails like a refused connection while it is down.
 */
function rig(options: { setUp?: (client: ApiClient) => Promise<void>; random?: () => number } = {}) {
  const device = createFakeDevice();
  const { router } = createFakeRouter(device);
  const timers = new ManualTimers();
  const hostPorts: Port[] = [];
  const phases: ReconnectPhase[] = [];
  const setUps: ApiClient[] = [];
  let up = true;
  let opens = 0;
  const connection = new ReconnectingClient({
    open: async () => {
      opens++;
      if (!up) throw new Error('connect ECONNREFUSED');
      const [host, client] = createMemoryPortPair();
      router.connect(host, { label: 'reconnect test', scopes: new Set(ALL_SCOPES) });
      hostPorts.push(host);
      return client;
    },
    setUp: async (client) => {
      setUps.push(client);
      await (options.setUp ?? ((c) => c.call('system.ping', { payload: 'set up' }).then(() => undefined)))(client);
    },
    onPhase: (phase) => phases.push(phase),
    backoff: new ReconnectBackoff({ baseMs: 100, maxMs: 800, jitter: 0.5 }, options.random ?? (() => 0)),
    timers,
  });
  return {
    connection,
    timers,
    phases,
    setUps,
    opens: () => opens,
    /** headsetd goes away: the live connection closes and new ones are refused. */
    down() {
      up = false;
      hostPorts.at(-1)?.close();
    },
    up() {
      up = true;
    },
  };
}

const waiting = (phase: ReconnectPhase) => {
  if (phase.status !== 'waiting') throw new Error(`expected waiting, got ${phase.status}`);
  return phase;
};

describe('ReconnectingClient', () => {
  it('connects, and after a loss waits, opens a new port and sets the new client up again', async () => {
    const r = rig();
    r.connection.start();
    await settle();
    expect(r.connection.phase).toEqual({ status: 'connected' });
    const first = r.connection.client!;
    await expect(first.call('system.ping', { payload: 'a' })).resolves.toMatchObject({ payload: 'a' });

    r.down();
    const lost = waiting(r.connection.phase);
    expect(lost).toMatchObject({ failures: 1, reason: 'The connection to the headset closed.', retryAt: r.timers.now() + 100 });
    expect(r.connection.client).toBeUndefined();

    r.up();
    r.timers.advance(99);
    await settle();
    expect(r.opens()).toBe(1);
    r.timers.advance(1);
    await settle();
    expect(r.connection.phase).toEqual({ status: 'connected' });
    expect(r.setUps).toHaveLength(2);
    const second = r.connection.client!;
    expect(second).not.toBe(first);
    await expect(second.call('system.ping', { payload: 'b' })).resolves.toMatchObject({ payload: 'b' });
    expect(r.phases.map((p) => p.status)).toEqual(['connecting', 'connected', 'waiting', 'connecting', 'connected']);
  });

  it('backs off while headsetd stays away, capped, and starts over after a success', async () => {
    const r = rig();
    r.connection.start();
    await settle();
    r.down();
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const phase = waiting(r.connection.phase);
      waits.push(phase.retryAt - r.timers.now());
      r.timers.advance(phase.retryAt - r.timers.now());
      await settle();
    }
    expect(waits).toEqual([100, 200, 400, 800, 800, 800]);
    expect(waiting(r.connection.phase).failures).toBe(7);

    r.up();
    r.timers.advance(800);
    await settle();
    expect(r.connection.phase).toEqual({ status: 'connected' });
    // Reset after the success: the next loss waits the base again, not the cap.
    r.down();
    expect(waiting(r.connection.phase).retryAt - r.timers.now()).toBe(100);
  });

  it('keeps each wait within the jitter bounds', async () => {
    const r = rig({ random: () => 0.999_999 });
    r.connection.start();
    await settle();
    r.down();
    for (const ceiling of [100, 200, 400, 800, 800]) {
      const phase = waiting(r.connection.phase);
      const wait = phase.retryAt - r.timers.now();
      expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
      expect(wait).toBeLessThanOrEqual(ceiling);
      r.timers.advance(wait);
      await settle();
    }
  });

  it('Retry drops the wait, tries at once, and starts the backoff over', async () => {
    const r = rig();
    r.connection.start();
    await settle();
    r.down();
    for (let i = 0; i < 4; i++) {
      r.timers.advance(waiting(r.connection.phase).retryAt - r.timers.now());
      await settle();
    }
    expect(waiting(r.connection.phase).retryAt - r.timers.now()).toBe(800);
    const opensBefore = r.opens();

    // Still down: the attempt Retry makes fails, and the wait after it is the base one again.
    r.connection.retryNow();
    await settle();
    expect(r.opens()).toBe(opensBefore + 1);
    expect(waiting(r.connection.phase)).toMatchObject({ failures: 1, retryAt: r.timers.now() + 100 });
    expect(r.timers.pending.size).toBe(1);

    r.up();
    r.connection.retryNow();
    await settle();
    expect(r.connection.phase).toEqual({ status: 'connected' });
    // The dropped wait never fires a second attempt.
    expect(r.timers.pending.size).toBe(0);
    // Retry while connected does nothing.
    r.connection.retryNow();
    await settle();
    expect(r.opens()).toBe(opensBefore + 2);
  });

  it('an attempt whose set-up fails closes that client and tries again later', async () => {
    let refuse = true;
    const r = rig({
      setUp: async (client) => {
        await client.call('system.ping', { payload: 'x' });
        if (refuse) throw new Error('system.info failed');
      },
    });
    r.connection.start();
    await settle();
    expect(waiting(r.connection.phase)).toMatchObject({ failures: 1, reason: 'system.info failed' });
    expect(r.connection.client).toBeUndefined();
    await expect(r.setUps[0]!.call('system.ping', { payload: 'y' })).rejects.toMatchObject({ code: 'DISCONNECTED' });
    refuse = false;
    r.timers.advance(100);
    await settle();
    expect(r.connection.phase).toEqual({ status: 'connected' });
  });

  it('a connection that closes while it is being set up fails the attempt, never counts as connected', async () => {
    let closeDuringSetUp = true;
    const r = rig({
      setUp: async (client) => {
        // Subscribing needs no answer: only the close listener can tell the attempt failed.
        client.subscribe('health.changed', () => undefined);
        if (closeDuringSetUp) client.close();
      },
    });
    r.connection.start();
    await settle();
    expect(waiting(r.connection.phase)).toMatchObject({ failures: 1, reason: 'The connection closed while it was being set up.' });
    closeDuringSetUp = false;
    r.timers.advance(100);
    await settle();
    expect(r.connection.phase).toEqual({ status: 'connected' });
  });

  it('stop closes the live connection and cancels the next attempt', async () => {
    const r = rig();
    r.connection.start();
    await settle();
    const client = r.connection.client!;
    r.connection.stop();
    expect(r.connection.phase).toEqual({ status: 'stopped' });
    await expect(client.call('system.ping', { payload: 'z' })).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(r.timers.pending.size).toBe(0);
    r.connection.retryNow();
    await settle();
    expect(r.opens()).toBe(1);
  });
});
