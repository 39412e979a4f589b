import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiClient } from '../../src/api/client.js';
import { createFakeDevice } from '../../test-support/api/fakeDevice.js';
import { ALL_SCOPES, createFakeRouter } from '../../test-support/api/harness.js';
import { API_PATH, API_SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../transports/WebSocketServer.js';
import { startWebHost } from './WebHost.js';

// The transport's own checks are in main/transports/WebSocketServer.test.ts; here, the web host around it.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The HTTP status an upgrade is refused with. */
function refusal(url: string, origin: string, token: string, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [API_SUBPROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], { origin, ...(host ? { headers: { host } } : {}) });
    ws.on('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.on('error', () => undefined); // the destroyed request reports itself here as well
    ws.on('open', () => reject(new Error('The server accepted the connection.')));
  });
}

async function openClient(url: string, origin: string, token: string): Promise<ApiClient> {
  const ws = new WebSocket(url, [API_SUBPROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], { origin });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.on('error', reject); // kept: after the open it turns a late error into a no-op
  });
  cleanups.push(async () => {
    ws.terminate();
    await closed;
  });
  return new ApiClient({
    post: (message) => ws.send(message),
    onMessage: (handler) => void ws.on('message', (data: Buffer) => handler(data.toString('utf8'))),
    onClose: (handler) => void ws.on('close', () => handler()),
    close: () => ws.close(),
  });
}

describe('startWebHost', () => {
  const root = mkdtempSync(join(tmpdir(), 'hs-web-'));
  const rendererDir = join(root, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Headset Control</title>');
  writeFileSync(join(rendererDir, 'assets', 'app-1234.js'), 'console.log("app")');
  // Beside the renderer folder, so a path traversal has something to find.
  writeFileSync(join(root, 'secret.txt'), 'TOP SECRET');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function startHost() {
    const { router } = createFakeRouter(createFakeDevice());
    const host = await startWebHost({ router, rendererDir, port: 0, scopes: new Set(ALL_SCOPES) });
    cleanups.push(() => host.close());
    return { host, port: Number(new URL(host.origin).port) };
  }

  /** A raw GET: the path goes out exactly as written (no client-side normalisation). */
  function get(port: number, path: string, options: { host?: string; method?: string } = {}) {
    return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('serves index.html with a strict Content-Security-Policy', async () => {
    const { port, host } = await startHost();
    const page = await get(port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Headset Control</title>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`connect-src ws://127.0.0.1:${port} ws://localhost:${port}`);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(host.url).toBe(`http://127.0.0.1:${port}/#token=${host.token}`);
    expect(host.token).toMatch(/^[0-9a-f]{64}$/);
    // localhost is the same page.
    expect((await get(port, '/index.html', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('serves assets as immutable, and refuses methods other than GET and HEAD', async () => {
    const { port } = await startHost();
    const asset = await get(port, '/assets/app-1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const head = await get(port, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await get(port, '/', { method: 'POST' })).status).toBe(405);
    expect((await get(port, '/missing.js')).status).toBe(404);
    expect((await get(port, API_PATH)).status).toBe(426);
  });

  it('refuses a Host header it does not serve with 421 (no DNS rebinding)', async () => {
    const { port } = await startHost();
    expect((await get(port, '/', { host: `evil.example:${port}` })).status).toBe(421);
    expect((await get(port, '/', { host: '127.0.0.1' })).status).toBe(421);
    expect((await get(port, '/', { host: `127.0.0.1:${port + 1}` })).status).toBe(421);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets%2f..%2f..%2fsecret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%5csecret.txt',
  ])('does not serve files outside the renderer folder: %s -> 404', async (path) => {
    const { port } = await startHost();
    const response = await get(port, path);
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('TOP SECRET');
  });

  it('answers a malformed percent-encoding with 400 and keeps serving', async () => {
    const { port } = await startHost();
    expect((await get(port, '/%E0%A4%A')).status).toBe(400);
    expect((await get(port, '/%')).status).toBe(400);
    expect((await get(port, '/')).status).toBe(200);
  });

  it('carries the API: its own origins with the per-start token connect, others do not', async () => {
    const { host, port } = await startHost();
    const url = `ws://127.0.0.1:${port}${API_PATH}`;
    for (const origin of [host.origin, `http://localhost:${port}`]) {
      const client = await openClient(url, origin, host.token);
      await expect(client.call('system.info')).resolves.toMatchObject({ product: 'Headset Control' });
    }
    expect(await refusal(url, 'http://evil.example', host.token)).toBe(403);
    expect(await refusal(url, host.origin, 'a-token-from-an-earlier-start')).toBe(401);
  });

  it('refuses the API upgrade with a Host it does not serve (421), as it refuses pages', async () => {
    const { host, port } = await startHost();
    const url = `ws://127.0.0.1:${port}${API_PATH}`;
    // A rebound name: the page's own origin and the right token, but the browser sends the rebound Host.
    expect(await refusal(url, host.origin, host.token, `evil.example:${port}`)).toBe(421);
    expect(await refusal(url, `http://evil.example:${port}`, host.token, `evil.example:${port}`)).toBe(421);
  });
});
