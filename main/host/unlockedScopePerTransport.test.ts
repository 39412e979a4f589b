import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiClient } from '../../src/api/client.js';
import { apiCalls } from '../../src/api/contract.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { errorCodeOf } from '../../test-support/api/errorCodes.js';
import { API_PATH, API_SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../transports/WebSocketServer.js';
import { connectUnixSocket } from '../transports/UnixSocketPort.js';
import { listenUnixSocket } from '../transports/UnixSocketServer.js';
import { LOCAL_UI_SCOPES, createHeadset } from './composition.js';
import { startWebHost } from './WebHost.js';

// Issue 12: every call marked `unlocked` in the contract refuses a locked connection, on each
// transport a UI reaches headsetd by; unlocked with the PIN, the same connection gets past the check.

const build = { version: '1.0.0', commit: 'abc', builtAt: '2026-01-01T00:00:00Z' };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const UNLOCKED_CALLS = Object.entries(apiCalls)
  .filter(([, spec]) => spec.scope === 'unlocked')
  .map(([name]) => name as keyof typeof apiCalls);

/** A set-up headset with a PIN, started again (no connection holds an unlock session). */
async function lockedHeadset() {
  const root = mkdtempSync(join(tmpdir(), 'unlocked-scope-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const first = await createHeadset({ device: 'simulated', root, build, healthIntervalMs: 60_000 });
  const [a, b] = createMemoryPortPair();
  first.router.connect(b, { label: 'setup', scopes: LOCAL_UI_SCOPES });
  const setup = new ApiClient(a);
  await setup.call('setup.complete');
  await setup.call('lock.set', { pin: '2468' });
  await first.close();
  const headset = await createHeadset({ device: 'simulated', root, build, healthIntervalMs: 60_000 });
  cleanups.push(() => headset.close());
  return { root, headset };
}

type Headset = Awaited<ReturnType<typeof lockedHeadset>>['headset'];

const TRANSPORTS: Record<string, (headset: Headset, root: string) => Promise<ApiClient>> = {
  // In process: the router itself, as headsetd's own boot check and the tests' harness connect.
  'in-memory port': async (headset) => {
    const [a, b] = createMemoryPortPair();
    headset.router.connect(b, { label: 'ui', scopes: LOCAL_UI_SCOPES });
    return new ApiClient(a);
  },
  // Electron's main process relays the renderer's calls over this socket (main/electron/ipcBridge.ts); headsetctl too.
  'unix socket': async (headset, root) => {
    const path = join(root, 'headsetd.sock');
    const socket = await listenUnixSocket({ path, router: headset.router, scopes: LOCAL_UI_SCOPES });
    cleanups.push(() => socket.close());
    const port = await connectUnixSocket(path);
    cleanups.push(() => port.close());
    return new ApiClient(port);
  },
  // The web host (npm start, the recovery kiosk without Electron): token and origin checked.
  'web host WebSocket': async (headset, root) => {
    const rendererDir = join(root, 'renderer');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Headset Control</title>');
    const web = await startWebHost({ router: headset.router, rendererDir, port: 0, scopes: LOCAL_UI_SCOPES });
    cleanups.push(() => web.close());
    const ws = new WebSocket(`${web.origin.replace('http', 'ws')}${API_PATH}`, [API_SUBPROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${web.token}`], {
      origin: web.origin,
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    cleanups.push(() => void ws.terminate());
    return new ApiClient({
      post: (message) => ws.send(message),
      onMessage: (handler) => void ws.on('message', (data: Buffer) => handler(data.toString('utf8'))),
      onClose: (handler) => void ws.on('close', () => handler()),
      close: () => ws.close(),
    });
  },
};

describe('every `unlocked` call, per transport', () => {
  it('the contract marks the changes issue 12 names as unlocked: network changes, wipe, support mode', () => {
    expect(UNLOCKED_CALLS).toEqual(
      expect.arrayContaining(['network.connect', 'network.forget', 'network.setPriority', 'network.setSupport', 'reset.wipe', 'support.start']),
    );
  });

  for (const [transport, connect] of Object.entries(TRANSPORTS)) {
    it(`${transport}: refused while locked (FORBIDDEN, before the input is even read); after the PIN, past the check`, async () => {
      const { headset, root } = await lockedHeadset();
      const client = await connect(headset, root);
      expect((await client.call('lock.status')).unlocked).toBe(false);
      const codes = Object.fromEntries(
        await Promise.all(UNLOCKED_CALLS.map(async (name) => [name, await errorCodeOf(client.call(name as never, {} as never))] as const)),
      );
      expect(codes).toEqual(Object.fromEntries(UNLOCKED_CALLS.map((name) => [name, 'FORBIDDEN'])));

      await client.call('lock.unlock', { pin: '2468' });
      // Unlocked: the call is read and answered (an unknown saved network), no longer refused.
      expect(await errorCodeOf(client.call('network.forget', { id: '00000000-0000-4000-8000-000000000000' }))).toBe('NETWORK_UNKNOWN_PROFILE');
      expect(await errorCodeOf(client.call('support.start', {} as never))).not.toBe('FORBIDDEN');
    });
  }
});
