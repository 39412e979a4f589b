import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiClient } from '../../src/api/client.js';
import type { Scope } from '../../src/api/contract.js';
import type { Port } from '../../src/api/port.js';
import { sampleHealth } from '../../test-support/api/samples.js';
import { createFakeDevice, type FakeDevice } from '../../test-support/api/fakeDevice.js';
import { ALL_SCOPES, createFakeRouter } from '../../test-support/api/harness.js';
import { MessageLog } from '../../test-support/api/messageLog.js';
import { HeldCalls } from '../../test-support/api/heldCalls.js';
import { LOCAL_UI, checkUnlockedScope, lockedDevice } from '../../test-support/api/unlockedScopeScenario.js';
import { API_PATH, API_SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX, attachWebSocketApi, type WebSocketApiOptions } from './WebSocketServer.js';

const TOKEN = 'per-start-token-0123456789abcdef';

// Everything a test opens is closed after it, in reverse order (clients before servers).
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Limits = Partial<Pick<WebSocketApiOptions, 'maxMessageBytes' | 'maxBufferedBytes' | 'messagesPerSecond'>>;

/** A real HTTP server on 127.0.0.1 with the WebSocket API attached to a router over a fake device. */
async function startApi(
  limits: Limits = {},
  device: FakeDevice = createFakeDevice(),
  access: { scopes?: ReadonlySet<Scope>; testCalls?: boolean } = {},
) {
  const server: Server = createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const { router } = createFakeRouter(device, { testCalls: access.testCalls });
  const api = attachWebSocketApi(server, {
    router,
    token: TOKEN,
    allowedOrigins: new Set([origin]),
    allowedHosts: new Set([`127.0.0.1:${port}`, `localhost:${port}`]),
    scopes: access.scopes ?? new Set(ALL_SCOPES),
    ...limits,
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        api.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `ws://127.0.0.1:${port}${API_PATH}`, origin, port, api, device };
}

interface Offer {
  token?: string;
  origin?: string;
  protocols?: string[];
  /** A Host header other than the URL's (a rebound DNS name that resolves to 127.0.0.1). */
  host?: string;
}

function offerProtocols(offer: Offer): string[] {
  return offer.protocols ?? [API_SUBPROTOCOL, ...(offer.token === undefined ? [] : [`${TOKEN_PROTOCOL_PREFIX}${offer.token}`])];
}

/** The HTTP status the server refuses an upgrade with. */
function refusal(url: string, offer: Offer): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, offerProtocols(offer), {
      ...(offer.origin === undefined ? {} : { origin: offer.origin }),
      ...(offer.host === undefined ? {} : { headers: { host: offer.host } }),
    });
    ws.on('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.on('error', () => undefined); // the destroyed request reports itself here as well
    ws.on('open', () => reject(new Error('The server accepted the connection.')));
  });
}

interface OpenClient {
  ws: WebSocket;
  client: ApiClient;
  log: MessageLog;
  /** The close code the client saw. */
  closed: Promise<number>;
}

async function openClient(url: string, origin: string, token = TOKEN): Promise<OpenClient> {
  const ws = new WebSocket(url, offerProtocols({ token }), { origin });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('error', () => undefined); // a close is what tests look at
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
  });
  cleanups.push(async () => {
    ws.terminate();
    await closed;
  });
  const port = wsPort(ws);
  return { ws, client: new ApiClient(port), log: new MessageLog(port), closed };
}

function wsPort(ws: WebSocket): Port {
  return {
    post: (message) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(message);
    },
    onMessage: (handler) => void ws.on('message', (data: Buffer) => handler(data.toString('utf8'))),
    onClose: (handler) => void ws.on('close', () => handler()),
    close: () => ws.close(),
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

describe('attachWebSocketApi: the `unlocked` scope', () => {
  it('refused while locked, allowed to the connection that gave the PIN, until lock, idle or close', async () => {
    const { device, clock } = lockedDevice();
    const { url, origin } = await startApi({}, device, { scopes: LOCAL_UI, testCalls: true });
    await checkUnlockedScope(device, clock, async () => {
      const { ws, client, closed } = await openClient(url, origin);
      return {
        client,
        close: async () => {
          ws.close();
          await closed;
        },
      };
    });
  });
});

describe('attachWebSocketApi: upgrade checks', () => {
  it('refuses an upgrade without a token with 401', async () => {
    const { url, origin } = await startApi();
    expect(await refusal(url, { origin })).toBe(401);
  });

  it('refuses a wrong token with 401, including a prefix or an extension of the right one', async () => {
    const { url, origin } = await startApi();
    expect(await refusal(url, { origin, token: 'not-the-token' })).toBe(401);
    expect(await refusal(url, { origin, token: TOKEN.slice(0, -1) })).toBe(401);
    expect(await refusal(url, { origin, token: `${TOKEN}0` })).toBe(401);
    expect(await refusal(url, { origin, token: '' })).toBe(401);
  });

  it('refuses a missing or foreign Origin with 403, even with the right token', async () => {
    const { url, origin, port } = await startApi();
    expect(await refusal(url, { token: TOKEN })).toBe(403);
    expect(await refusal(url, { token: TOKEN, origin: 'http://evil.example' })).toBe(403);
    expect(await refusal(url, { token: TOKEN, origin: `http://localhost:${port + 1}` })).toBe(403);
    expect(await refusal(url, { token: TOKEN, origin: `${origin}/` })).toBe(403);
  });

  it('refuses a Host it does not serve with 421, even with the right Origin and token (no DNS rebinding)', async () => {
    const { url, origin, port } = await startApi();
    expect(await refusal(url, { token: TOKEN, origin, host: `evil.example:${port}` })).toBe(421);
    expect(await refusal(url, { token: TOKEN, origin, host: '127.0.0.1' })).toBe(421);
    expect(await refusal(url, { token: TOKEN, origin, host: `127.0.0.1:${port + 1}` })).toBe(421);
    // The same server still serves the Hosts it answers to.
    const { client } = await openClient(url.replace('127.0.0.1', 'localhost'), origin);
    await expect(client.call('system.ping', { payload: 'localhost' })).resolves.toEqual({ payload: 'localhost' });
  });

  it('refuses another path with 404', async () => {
    const { url, origin } = await startApi();
    expect(await refusal(url.replace(API_PATH, '/api2'), { origin, token: TOKEN })).toBe(404);
    expect(await refusal(url.replace(API_PATH, '/'), { origin, token: TOKEN })).toBe(404);
  });

  it('refuses a client that does not speak the API subprotocol with 400', async () => {
    const { url, origin } = await startApi();
    expect(await refusal(url, { origin, protocols: [`${TOKEN_PROTOCOL_PREFIX}${TOKEN}`] })).toBe(400);
  });

  it('accepts the right token and Origin, agrees on the API subprotocol, and serves calls and events', async () => {
    const { url, origin, device } = await startApi();
    const { ws, client } = await openClient(url, origin);
    expect(ws.protocol).toBe(API_SUBPROTOCOL);
    await expect(client.call('system.ping', { payload: 'over the wire 🎧' })).resolves.toEqual({ payload: 'over the wire 🎧' });
    const loads: number[] = [];
    let seen!: () => void;
    const first = new Promise<void>((resolve) => (seen = resolve));
    client.subscribe('health.changed', (payload) => {
      loads.push(payload.cpuLoadPercent);
      seen();
    });
    await first;
    device.events['health.changed'].channel.set(sampleHealth(64));
    await client.call('system.ping');
    expect(loads).toEqual([12, 64]);
  });
});

describe('attachWebSocketApi: bad clients', () => {
  it('answers malformed JSON with BAD_MESSAGE and keeps the connection', async () => {
    const { url, origin } = await startApi();
    const { ws, client, log } = await openClient(url, origin);
    ws.send('{"type":"call",');
    expect(await log.nextError(null)).toMatchObject({ code: 'BAD_MESSAGE' });
    ws.send(Buffer.from([0x7b, 0x00, 0xff]), { binary: true });
    expect(await log.nextError(null)).toMatchObject({ code: 'BAD_MESSAGE' });
    await expect(client.call('system.ping', { payload: 'still here' })).resolves.toEqual({ payload: 'still here' });
  });

  it('closes a connection that sends a frame over the limit with 1009; other clients keep their answers', async () => {
    const held = new HeldCalls();
    const { url, origin, api } = await startApi({ maxMessageBytes: 1024 }, createFakeDevice({ overrides: { 'system.ping': held.handler({}) } }));
    const bystander = await openClient(url, origin);
    const offender = await openClient(url, origin);
    void offender.client.call('system.ping').catch(() => undefined);
    await held.entered(1);
    offender.ws.send(JSON.stringify({ type: 'call', id: 500, method: 'system.info', input: { junk: 'x'.repeat(2048) } }));
    expect(await offender.closed).toBe(1009);
    await untilAborted(held.contexts[0]!.signal);
    await expect(bystander.client.call('system.info')).resolves.toMatchObject({ product: 'Headset Control' });
    expect(api.clientCount()).toBe(1);
  });

  it('closes a connection that floods beyond messagesPerSecond with 1008; other clients are unaffected', async () => {
    const pinged: string[] = [];
    const device = createFakeDevice({ overrides: { 'system.ping': ({ payload }) => (pinged.push(payload ?? ''), { payload }) } });
    const { url, origin } = await startApi({ messagesPerSecond: 5 }, device);
    const bystander = await openClient(url, origin);
    const flooder = await openClient(url, origin);
    for (let id = 1000; id < 1100; id++) flooder.ws.send(JSON.stringify({ type: 'call', id, method: 'system.ping', input: { payload: 'flood' } }));
    expect(await flooder.closed).toBe(1008);
    // Only the burst allowance reached the service (one more at most, refilled while the burst arrived).
    expect(pinged.length).toBeGreaterThanOrEqual(5);
    expect(pinged.length).toBeLessThanOrEqual(6);
    for (let i = 0; i < 3; i++) await expect(bystander.client.call('system.ping', { payload: `${i}` })).resolves.toEqual({ payload: `${i}` });
  });

  it('drops a client that stops reading once its queue exceeds maxBufferedBytes; others still get answers', async () => {
    const { url, origin, device, api } = await startApi({ maxBufferedBytes: 256 * 1024 });
    const bystander = await openClient(url, origin);
    const stalled = await openClient(url, origin);
    let events = 0;
    let subscribed!: () => void;
    const first = new Promise<void>((resolve) => (subscribed = resolve));
    stalled.client.subscribe('health.changed', () => {
      events++;
      subscribed();
    });
    await first;
    // The client stops reading: the kernel buffers fill, then the server's queue grows.
    (stalled.ws as unknown as { _socket: Socket })._socket.pause();

    const source = device.events['health.changed'];
    const big = sampleHealth(50, `/${'m'.repeat(100 * 1024)}`);
    let pushes = 0;
    while (source.subscribers() > 0 && pushes < 500) {
      source.channel.set({ ...big, cpuLoadPercent: pushes % 100 });
      pushes++;
      await new Promise((resolve) => setImmediate(resolve)); // let the sockets move bytes
    }
    expect(source.subscribers()).toBe(0);
    expect(api.clientCount()).toBe(1);
    expect(events).toBe(1);
    await expect(bystander.client.call('system.ping', { payload: 'alive' })).resolves.toEqual({ payload: 'alive' });
  });
});
