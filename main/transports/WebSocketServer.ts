import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Scope } from '../../src/api/contract.js';
import type { Port } from '../../src/api/port.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/api/protocol.js';
import type { ApiRouter } from '../../src/api/router.js';

export const API_PATH = '/api';
export const API_SUBPROTOCOL = 'headset.v1';
/** Browsers cannot set headers on a WebSocket: the token travels as a second subprotocol. */
export const TOKEN_PROTOCOL_PREFIX = 'token.';

export interface WebSocketApiOptions {
  router: ApiRouter;
  token: string;
  allowedOrigins: ReadonlySet<string>;
  /** The Host headers this server answers to (`127.0.0.1:PORT`, `localhost:PORT`): anything else is DNS rebinding. */
  allowedHosts: ReadonlySet<string>;
  scopes: ReadonlySet<Scope>;
  maxMessageBytes?: number;
  /** Bytes queued for a client that does not read before it is dropped. */
  maxBufferedBytes?: number;
  /** Messages per second a client may send (burst of the same size) before it is disconnected. */
  messagesPerSecond?: number;
}

/**
 * The API over a loopback WebSocket, for the web host. Checked before the upgrade: path, Host
 * (allow-list: a rebound DNS name reaches 127.0.0.1 with another Host), Origin (allow-list: a page on another origin cannot drive the device) and the per-start token
 * (compared in constant time). Frames above the size limit close the connection (1009); clients
 * that flood or stop reading are dropped without stalling the others.
 */
export function attachWebSocketApi(server: Server, options: WebSocketApiOptions): { close(): void; clientCount(): number } {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  // Generous for any real client (a sequential caller reaches a few thousand a second); a flood
  // of tiny frames from one client is what this stops.
  const rate = options.messagesPerSecond ?? 10_000;
  const expected = digest(options.token);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(API_SUBPROTOCOL) ? API_SUBPROTOCOL : false),
  });
  let nextConnection = 1;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = checkUpgrade(request, options, expected);
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const label = `websocket #${nextConnection++} ${request.socket.remoteAddress ?? ''}:${request.socket.remotePort ?? ''}`;
      options.router.connect(webSocketPort(ws, maxBuffered, rate), { label, scopes: options.scopes });
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    close() {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
    clientCount: () => wss.clients.size,
  };
}

function checkUpgrade(
  request: IncomingMessage,
  allowed: Pick<WebSocketApiOptions, 'allowedHosts' | 'allowedOrigins'>,
  expectedToken: Buffer,
): string | undefined {
  // The same answer the web host gives any other request with a foreign Host.
  if (!allowed.allowedHosts.has(request.headers.host ?? '')) return '421 Misdirected Request';
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== API_PATH) return '404 Not Found';
  const origin = request.headers.origin;
  if (!origin || !allowed.allowedOrigins.has(origin)) return '403 Forbidden';
  const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const offered = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  if (!offered || !timingSafeEqual(digest(offered.slice(TOKEN_PROTOCOL_PREFIX.length)), expectedToken)) return '401 Unauthorized';
  if (!protocols.includes(API_SUBPROTOCOL)) return '400 Bad Request';
  return undefined;
}

/** Hashing first gives equal-length inputs to timingSafeEqual, so even the length does not leak. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function webSocketPort(ws: WebSocket, maxBuffered: number, messagesPerSecond: number): Port {
  const messageHandlers: ((message: string) => void)[] = [];
  const closeHandlers: (() => void)[] = [];
  let allowance = messagesPerSecond;
  let lastRefill = Date.now();
  ws.on('message', (data, isBinary) => {
    const now = Date.now();
    allowance = Math.min(messagesPerSecond, allowance + ((now - lastRefill) / 1000) * messagesPerSecond);
    lastRefill = now;
    if (allowance < 1) {
      ws.close(1008, 'Too many messages');
      return;
    }
    allowance -= 1;
    const text = isBinary ? '' : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    for (const h of messageHandlers) h(text);
  });
  ws.on('close', () => {
    for (const h of closeHandlers) h();
  });
  ws.on('error', () => ws.terminate());
  return {
    post(message) {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > maxBuffered) {
        ws.terminate();
        return;
      }
      ws.send(message);
    },
    onMessage: (handler) => void messageHandlers.push(handler),
    onClose: (handler) => void closeHandlers.push(handler),
    close: () => ws.close(1000),
  };
}
