import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import type { Port } from '../../src/api/port.js';
import { createFakeDevice, type FakeDevice } from '../../test-support/api/fakeDevice.js';
import { ALL_SCOPES, createFakeRouter } from '../../test-support/api/harness.js';
import { MessageLog } from '../../test-support/api/messageLog.js';
import { errorCodeOf } from '../../test-support/api/errorCodes.js';
import { HeldCalls } from '../../test-support/api/heldCalls.js';
import { LOCAL_UI, checkUnlockedScope, lockedDevice } from '../../test-support/api/unlockedScopeScenario.js';
import { connectUnixSocket } from './UnixSocketPort.js';
import { listenUnixSocket } from './UnixSocketServer.js';

const dir = mkdtempSync(join(tmpdir(), 'hs-sock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let nextPath = 1;
const socketPath = () => join(dir, `api-${nextPath++}.sock`);

// Everything a test opens is closed after it, clients before servers (a server closes once its clients are gone).
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(options: { device?: FakeDevice; maxMessageBytes?: number; path?: string } = {}) {
  const device = options.device ?? createFakeDevice();
  const path = options.path ?? socketPath();
  const { router } = createFakeRouter(device);
  const server = await listenUnixSocket({ path, router, scopes: new Set(ALL_SCOPES), maxMessageBytes: options.maxMessageBytes });
  cleanups.push(() => server.close());
  return { server, path, device };
}

async function connectClient(path: string): Promise<{ port: Port; client: ApiClient; log: MessageLog; closed: Promise<void> }> {
  const port = await connectUnixSocket(path);
  const closed = new Promise<void>((resolve) => port.onClose(resolve));
  const client = new ApiClient(port);
  cleanups.push(async () => {
    port.close();
    await closed;
  });
  return { port, client, log: new MessageLog(port), closed };
}

describe('listenUnixSocket', () => {
  it('the `unlocked` scope: refused while locked, allowed to the connection that gave the PIN, until lock, idle or close', async () => {
    const { device, clock } = lockedDevice();
    const { router } = createFakeRouter(device, { testCalls: true });
    const path = socketPath();
    const server = await listenUnixSocket({ path, router, scopes: LOCAL_UI });
    cleanups.push(() => server.close());
    await checkUnlockedScope(device, clock, async () => {
      const { port, client, closed } = await connectClient(path);
      return {
        client,
        close: async () => {
          port.close();
          await closed;
        },
      };
    });
  });

  it('creates the socket file with mode 0660', async () => {
    const { path } = await startServer();
    const stat = statSync(path);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o660);
  });

  it('serves calls and events to an ApiClient over connectUnixSocket', async () => {
    const { path, device } = await startServer();
    const { client } = await connectClient(path);
    await expect(client.call('system.ping', { payload: 'über 🎧' })).resolves.toEqual({ payload: 'über 🎧' });
    const loads: number[] = [];
    let seen!: () => void;
    const first = new Promise<void>((resolve) => (seen = resolve));
    client.subscribe('health.changed', (payload) => {
      loads.push(payload.cpuLoadPercent);
      seen();
    });
    await first;
    device.events['health.changed'].channel.set({ ...device.events['health.changed'].channel.current()!, cpuLoadPercent: 77 });
    await client.call('system.ping');
    expect(loads).toEqual([12, 77]);
  });

  it('carries a large message (over the socket buffer) intact', async () => {
    const { path } = await startServer();
    const { client } = await connectClient(path);
    const payload = 'ä'.repeat(60 * 1024);
    await expect(client.call('system.ping', { payload })).resolves.toEqual({ payload });
  });

  it('answers a line over the limit with MESSAGE_TOO_LARGE, closes that connection, and keeps serving others', async () => {
    const held = new HeldCalls();
    const { path, device } = await startServer({
      maxMessageBytes: 1024,
      device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }),
    });
    const other = await connectClient(path);
    const offender = await connectClient(path);
    const pending = offender.client.call('system.ping');
    await held.entered(1);

    offender.port.post(JSON.stringify({ type: 'call', id: 99, method: 'system.info', input: { junk: 'x'.repeat(2048) } }));
    expect(await offender.log.nextError(null)).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await offender.closed;
    expect(await errorCodeOf(pending)).toBe('DISCONNECTED');
    // The server let go of the connection too: its call in flight was aborted.
    await new Promise<void>((resolve) =>
      held.contexts[0]!.signal.aborted ? resolve() : held.contexts[0]!.signal.addEventListener('abort', () => resolve()),
    );

    await expect(other.client.call('mode.get')).resolves.toEqual(device.events['mode.changed'].channel.current());
  }, 2000);

  it('drops a client that streams megabytes without a newline, and frees its connection', async () => {
    const held = new HeldCalls();
    const { path } = await startServer({ maxMessageBytes: 1024, device: createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }) });
    const offender = await connectClient(path);
    void offender.client.call('system.ping').catch(() => undefined);
    await held.entered(1);
    offender.port.post('x'.repeat(8 * 1024 * 1024));
    await offender.closed;
    await new Promise<void>((resolve) =>
      held.contexts[0]!.signal.aborted ? resolve() : held.contexts[0]!.signal.addEventListener('abort', () => resolve()),
    );
    const next = await connectClient(path);
    await expect(next.client.call('system.info')).resolves.toMatchObject({ product: 'Headset Control' });
  }, 2000);

  it('answers a malformed line with BAD_MESSAGE and keeps the connection', async () => {
    const { path } = await startServer();
    const { port, client, log } = await connectClient(path);
    port.post('{"type": "call", nope');
    expect(await log.nextError(null)).toMatchObject({ code: 'BAD_MESSAGE' });
    port.post('');
    expect(await log.nextError(null)).toMatchObject({ code: 'BAD_MESSAGE' });
    await expect(client.call('system.ping', { payload: 'after' })).resolves.toEqual({ payload: 'after' });
  });

  it('replaces a stale socket file left by a server that was killed', async () => {
    const path = socketPath();
    // A real server process, killed without a chance to remove its socket file.
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('ready'))`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the child exited early (${code})`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(statSync(path).isSocket()).toBe(true);

    await startServer({ path });
    const { client } = await connectClient(path);
    await expect(client.call('system.ping', { payload: 'fresh' })).resolves.toEqual({ payload: 'fresh' });
  });

  it('refuses to start when another server is live on the path, and leaves that server alone', async () => {
    const { path } = await startServer();
    const { router } = createFakeRouter(createFakeDevice());
    await expect(listenUnixSocket({ path, router, scopes: new Set(ALL_SCOPES) })).rejects.toThrow(`Another headsetd is already listening on ${path}`);
    const { client } = await connectClient(path);
    await expect(client.call('system.ping', { payload: 'first' })).resolves.toEqual({ payload: 'first' });
  });

  it('restores the process umask when it cannot listen', async () => {
    const before = process.umask(0o022);
    process.umask(before);
    const { router } = createFakeRouter(createFakeDevice());
    await expect(listenUnixSocket({ path: join(dir, 'missing-folder', 'api.sock'), router, scopes: new Set(ALL_SCOPES) })).rejects.toThrow();
    const after = process.umask(before);
    expect(after.toString(8)).toBe(before.toString(8));
  });

  it('removes the socket file on close', async () => {
    const path = socketPath();
    const { router } = createFakeRouter(createFakeDevice());
    const server = await listenUnixSocket({ path, router, scopes: new Set(ALL_SCOPES) });
    await server.close();
    expect(() => statSync(path)).toThrow(/ENOENT/);
  });
});

describe('listenUnixSocket, what it refuses to do', () => {
  it('never deletes a file at its path that is not a socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unix-not-socket-'));
    try {
      const path = join(dir, 'headsetd.sock');
      writeFileSync(path, 'precious');
      await expect(listenUnixSocket({ path, router: createFakeRouter(createFakeDevice()).router, scopes: new Set(ALL_SCOPES) })).rejects.toThrow(
        /not a socket/,
      );
      expect(readFileSync(path, 'utf8')).toBe('precious');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes while a client is still connected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unix-close-'));
    try {
      const path = join(dir, 'headsetd.sock');
      const server = await listenUnixSocket({ path, router: createFakeRouter(createFakeDevice()).router, scopes: new Set(ALL_SCOPES) });
      const client = new ApiClient(await connectUnixSocket(path));
      const closed = new Promise<void>((resolve) => client.onClose(resolve));
      await server.close();
      await closed;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
