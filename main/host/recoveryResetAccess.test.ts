import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { errorCodeOf } from '../../test-support/api/errorCodes.js';
import { API_PATH, API_SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../transports/WebSocketServer.js';
import { connectUnixSocket } from '../transports/UnixSocketPort.js';
import { listenUnixSocket } from '../transports/UnixSocketServer.js';
import { LOCAL_UI_SCOPES, createHeadset } from './composition.js';
import { startWebHost } from './WebHost.js';

const build = { version: '1.0.0', commit: 'abc', builtAt: '2026-01-01T00:00:00Z' };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A headset with a PIN set, started again in recovery mode (the recovery button, or a forced mode). */
async function recoveryHeadset() {
  const root = mkdtempSync(join(tmpdir(), 'recovery-reset-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const settings = await createHeadset({ device: 'simulated', root, build, healthIntervalMs: 60_000 });
  const [a, b] = createMemoryPortPair();
  settings.router.connect(b, { label: 'setup', scopes: LOCAL_UI_SCOPES });
  const setup = new ApiClient(a);
  await setup.call('setup.complete');
  await setup.call('lock.set', { pin: '2468' });
  await settings.close();
  let off!: () => void;
  const poweredOff = new Promise<void>((resolve) => (off = resolve));
  const headset = await createHeadset({ device: 'simulated', root, build, healthIntervalMs: 60_000, mode: 'recovery', onPowerOff: () => off() });
  cleanups.push(() => headset.close());
  return { root, headset, poweredOff };
}

type Headset = Awaited<ReturnType<typeof recoveryHeadset>>['headset'];

/** The transports a recovery UI reaches headsetd by, each with the scopes headsetd gives it (headsetd.ts). */
const TRANSPORTS: Record<string, (headset: Headset, root: string) => Promise<ApiClient>> = {
  // Electron's main process relays the kiosk window over this socket (main/electron/ipcBridge.ts).
  'unix socket': async (headset, root) => {
    const path = join(root, 'headsetd.sock');
    const socket = await listenUnixSocket({ path, router: headset.router, scopes: LOCAL_UI_SCOPES });
    cleanups.push(() => socket.close());
    const port = await connectUnixSocket(path);
    cleanups.push(() => port.close());
    return new ApiClient(port);
  },
  // The recovery kiosk on images without Electron: the web host's WebSocket, token and origin checked.
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

/**
 * What the recovery kiosk may do about a reset, per transport: it offers the factory reset (and the
 * other wipes, the configuration and hardware resets) with the same rules as Settings: reading the
 * plan, the state and the records needs no PIN; anything that changes the headset needs the
 * connection unlocked with the PIN, `confirm: true` and the PIN again; decommissioning is the
 * operator's alone (headsetctl), and the calls of the other modes stay closed.
 */
describe('reset calls in recovery mode', () => {
  for (const [transport, connect] of Object.entries(TRANSPORTS)) {
    it(`over the ${transport}: reads freely, changes only unlocked with the PIN, never decommissions; the factory reset runs`, async () => {
      const { root, headset, poweredOff } = await recoveryHeadset();
      const client = await connect(headset, root);
      expect(await client.call('mode.get')).toMatchObject({ mode: 'recovery' });

      // May, locked: what a reset would erase and keep, its state, the records.
      expect(await client.call('reset.plan', { scope: 'everything' })).toMatchObject({ pinRequired: true, setupAfter: true });
      expect(await client.call('reset.status')).toMatchObject({ status: 'idle' });
      expect(await client.call('reset.records')).toEqual([]);
      // May not, locked: anything that changes the headset.
      expect(await errorCodeOf(client.call('reset.wipe', { scope: 'everything', confirm: true, pin: '2468' }))).toBe('FORBIDDEN');
      expect(await errorCodeOf(client.call('reset.configure', { confirm: true, pin: '2468', keepPin: false, keepAccounts: false }))).toBe(
        'FORBIDDEN',
      );
      expect(await errorCodeOf(client.call('reset.hardware', { recalibrateImu: false }))).toBe('FORBIDDEN');
      // Nor the other modes' calls.
      expect(await errorCodeOf(client.call('setup.complete'))).toBe('WRONG_MODE');

      await client.call('lock.unlock', { pin: '2468' });
      // Unlocked, still: never decommissioning, never without a yes and the PIN again.
      expect(await errorCodeOf(client.call('reset.wipe', { scope: 'decommission', confirm: true, pin: '2468' }))).toBe('RESET_SCOPE_OPERATOR_ONLY');
      expect(await errorCodeOf(client.call('reset.wipe', { scope: 'everything', confirm: false, pin: '2468' }))).toBe('RESET_CONFIRMATION_REQUIRED');
      expect(await errorCodeOf(client.call('reset.wipe', { scope: 'everything', confirm: true }))).toBe('RESET_PIN_REQUIRED');
      expect(await errorCodeOf(client.call('reset.configure', { confirm: false, keepPin: true, keepAccounts: true }))).toBe(
        'RESET_CONFIRMATION_REQUIRED',
      );
      // May, unlocked: the hardware reset, and the factory reset the kiosk offers.
      const hardware = await client.call('reset.hardware', { recalibrateImu: false });
      expect(hardware.peripherals.map((p) => p.id)).toEqual(expect.arrayContaining(['imu', 'gps']));
      const started = await client.call('reset.wipe', { scope: 'everything', confirm: true, pin: '2468' });
      expect(started).toMatchObject({ status: 'wiping', scope: 'everything' });
      expect(await errorCodeOf(client.call('reset.configure', { confirm: true, pin: '2468', keepPin: true, keepAccounts: true }))).toBe(
        'RESET_IN_PROGRESS',
      );
      await poweredOff;
    }, 60_000);
  }
});
