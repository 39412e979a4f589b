import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModeState } from '../../src/api/contract.js';
import { ReconnectBackoff } from '../../src/api/reconnectBackoff.js';
import { ReconnectingClient, type ReconnectPhase } from '../../src/api/ReconnectingClient.js';
import { createFakeDevice } from '../../test-support/api/fakeDevice.js';
import { ALL_SCOPES, createFakeRouter } from '../../test-support/api/harness.js';
import { connectUnixSocket } from './UnixSocketPort.js';
import { listenUnixSocket } from './UnixSocketServer.js';

const dir = mkdtempSync(join(tmpdir(), 'hs-reconnect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** headsetd's API socket on `path` with a fresh device behind it, as each start of headsetd has. */
async function headsetd(path: string, mode: ModeState['mode']) {
  const device = createFakeDevice({ mode });
  const { router } = createFakeRouter(device);
  return listenUnixSocket({ path, router, scopes: new Set(ALL_SCOPES) });
}

describe('reconnecting over the Unix socket (what Electron main does when headsetd restarts)', () => {
  it('comes back on the same socket path, set up again, after headsetd went away and a new one listens', async () => {
    const path = join(dir, 'headsetd.sock');
    let server = await headsetd(path, 'settings');
    const phases: ReconnectPhase['status'][] = [];
    const modes: string[] = [];
    const connection = new ReconnectingClient({
      open: () => connectUnixSocket(path),
      // As Electron main: read the mode, follow its changes.
      setUp: async (client) => {
        modes.push((await client.call('mode.get')).mode);
        client.subscribe('mode.changed', () => undefined);
      },
      onPhase: (phase) => phases.push(phase.status),
      backoff: new ReconnectBackoff({ baseMs: 20, maxMs: 200, jitter: 0.5 }),
    });
    connection.start();
    await expect.poll(() => connection.phase.status).toBe('connected');

    // headsetd stops (its socket file goes): the client is told, and tries while nobody listens.
    await server.close();
    await expect.poll(() => phases.filter((p) => p === 'waiting').length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    expect(connection.client).toBeUndefined();

    // Started again (by systemd) in recovery: the new connection reads the new mode.
    server = await headsetd(path, 'recovery');
    await expect.poll(() => connection.phase.status, { timeout: 5000 }).toBe('connected');
    expect(modes).toEqual(['settings', 'recovery']);
    await expect(connection.client!.call('system.ping', { payload: 'back' })).resolves.toMatchObject({ payload: 'back' });
    connection.stop();
    await server.close();
  });
});
