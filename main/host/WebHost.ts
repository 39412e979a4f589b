import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Scope } from '../../src/api/contract.js';
import type { ApiRouter } from '../../src/api/router.js';
import type { SecretRegistrar } from '../../src/secrets/SecretRegistry.js';
import { API_PATH, attachWebSocketApi } from '../transports/WebSocketServer.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface WebHostOptions {
  router: ApiRouter;
  rendererDir: string;
  port: number;
  scopes: ReadonlySet<Scope>;
  maxMessageBytes?: number;
  /** The token is registered here while the host runs: no log line or record carries it. */
  secrets?: SecretRegistrar;
  /** A token the launcher keeps across restarts (see headsetd --token-fd); otherwise one is made for this start. */
  token?: string;
}

export interface WebHost {
  /** The UI's address, with the token in the fragment (never sent to a server, never logged). */
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

/**
 * Serves the built renderer and the API WebSocket on 127.0.0.1 only. The token is made per start
 * unless the launcher gives one;
 * the Host header is checked (no DNS rebinding), and every page carries a strict CSP.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const unregisterToken = options.secrets?.register(token, 'web host token');
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = new Set([...hosts].map((h) => `http://${h}`));
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${[...hosts].map((h) => `ws://${h}`).join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void serveStatic(request, response, options.rendererDir, hosts, csp);
  });
  const api = attachWebSocketApi(server, {
    router: options.router,
    token,
    allowedOrigins: origins,
    allowedHosts: hosts,
    scopes: options.scopes,
    maxMessageBytes: options.maxMessageBytes,
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        api.close();
        server.close(() => {
          unregisterToken?.();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

async function serveStatic(request: IncomingMessage, response: ServerResponse, root: string, hosts: ReadonlySet<string>, csp: string): Promise<void> {
  if (!hosts.has(request.headers.host ?? '')) return end(response, 421, 'Misdirected Request');
  if (request.method !== 'GET' && request.method !== 'HEAD') return end(response, 405, 'Method Not Allowed');
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    // decodeURIComponent throws on a malformed escape (`/%`); uncaught, that rejection would end the process.
    return end(response, 400, 'Bad Request');
  }
  if (pathname === API_PATH) return end(response, 426, 'Upgrade Required');
  const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
  const file = normalize(join(root, relative));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return end(response, 404, 'Not Found');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return end(response, 404, 'Not Found');
  }
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function end(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': "default-src 'none'" });
  response.end(text);
}
