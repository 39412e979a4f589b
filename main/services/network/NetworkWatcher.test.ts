import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NetworkStatus } from '../../../src/api/contract.js';
import type { NetworkMonitor, NetworkState } from '../platform/NetworkMonitor.js';
import { NetworkStateFile } from '../platform/NetworkStateFile.js';
import { NetworkWatcher } from './NetworkWatcher.js';

const clock = (...isos: string[]) => {
  const times = isos.map((iso) => new Date(iso));
  return () => times.shift() ?? new Date(0);
};

function fakeLog() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn(), fatal: vi.fn() };
}

describe('NetworkWatcher', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads the simulated network file and pushes each change once, with when it changed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'network-'));
    const path = join(dir, 'state');
    await writeFile(path, 'online\n');
    const log = fakeLog();
    const watcher = new NetworkWatcher(new NetworkStateFile(path), {
      log: log as never,
      now: clock('2026-01-01T10:00:00.000Z', '2026-01-01T10:05:00.000Z', '2026-01-01T10:06:00.000Z'),
    });
    const pushed: NetworkStatus[] = [];
    watcher.status.subscribe((status) => pushed.push(status));
    expect(await watcher.read()).toEqual({ state: 'online', since: '2026-01-01T10:00:00.000Z' });
    // The same state read again is no news.
    await watcher.read();
    await writeFile(path, 'metered\n');
    await watcher.read();
    await writeFile(path, 'offline\n');
    await watcher.read();
    expect(pushed).toEqual([
      { state: 'online', since: '2026-01-01T10:00:00.000Z' },
      { state: 'metered', since: '2026-01-01T10:05:00.000Z' },
      { state: 'offline', since: '2026-01-01T10:06:00.000Z' },
    ]);
    expect(log.info.mock.calls.map((call) => call[0])).toEqual(['network online', 'network online -> metered', 'network metered -> offline']);
  });

  it('polls by itself once started, and stops', async () => {
    let state: NetworkState = 'online';
    const monitor: NetworkMonitor = { state: async () => state };
    const watcher = new NetworkWatcher(monitor, { pollMs: 10 });
    await watcher.start();
    expect(watcher.status.current()?.state).toBe('online');
    state = 'offline';
    await vi.waitFor(() => expect(watcher.status.current()?.state).toBe('offline'));
    watcher.stop();
    state = 'metered';
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watcher.status.current()?.state).toBe('offline');
  });

  it('keeps the last state when the port cannot be read, says so once a spell, and reads offline before any state is known', async () => {
    let fail = true;
    const log = fakeLog();
    const monitor: NetworkMonitor = {
      state: async () => {
        if (fail) throw new Error('EACCES');
        return 'metered';
      },
    };
    const watcher = new NetworkWatcher(monitor, { log: log as never });
    expect((await watcher.read()).state).toBe('offline');
    fail = false;
    expect((await watcher.read()).state).toBe('metered');
    fail = true;
    expect((await watcher.read()).state).toBe('metered');
    expect((await watcher.read()).state).toBe('metered');
    // Once per spell of failures: the first, and the one after the read that worked.
    expect(log.warn).toHaveBeenCalledTimes(2);
    expect(log.warn.mock.calls[0]![1]).toEqual({ error: 'EACCES' });
  });
});
