import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const CHUNK = 64 * 1024;
const LAST_MODIFIED = new Date('2026-02-01T00:00:00Z').toUTCString();
/** What nginx answers for a missing file: a probe for the next root gets this. */
const NOT_FOUND = Buffer.from(
  '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
);

export interface ServedRequest {
  url: string;
  range: string | undefined;
  status: number;
  bodyBytes: number;
}

export interface CountingServer {
  base: string;
  /** Every byte written to a client socket so far (status lines, headers and bodies). */
  bytesSent(): number;
  /** Every byte read from client sockets so far (requests). */
  bytesReceived(): number;
  requests: ServedRequest[];
  /** Resolves when every response started so far has finished or was cut off. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A static file server on 127.0.0.1 with the headers a static web server (nginx) sends, single
 * `bytes=N-` ranges, bodies written in 64 KiB pieces with back-pressure (so bytes counted as sent
 * are bytes the socket took), counting every byte on every connection.
 */
export async function startCountingServer(lookup: (path: string) => Buffer | undefined): Promise<CountingServer> {
  const sockets = new Set<Socket>();
  const requests: ServedRequest[] = [];
  const pending = new Set<Promise<void>>();
  const server = createServer((request, response) => {
    const done = serve(request, response, lookup, requests).catch(() => undefined);
    pending.add(done);
    void done.finally(() => pending.delete(done));
  });
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sum = (get: (s: Socket) => number) => [...sockets].reduce((total, socket) => total + get(socket), 0);
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytesSent: () => sum((s) => s.bytesWritten),
    bytesReceived: () => sum((s) => s.bytesRead),
    requests,
    idle: async () => {
      await Promise.all([...pending]);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  lookup: (path: string) => Buffer | undefined,
  requests: ServedRequest[],
): Promise<void> {
  const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  const body = lookup(path);
  const record: ServedRequest = { url: request.url ?? '', range: request.headers.range, status: 200, bodyBytes: 0 };
  requests.push(record);
  const common = { Server: 'nginx', 'Content-Type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' };
  if (!body) {
    record.status = 404;
    record.bodyBytes = NOT_FOUND.length;
    response.writeHead(404, { ...common, 'Content-Type': 'text/html', 'Content-Length': NOT_FOUND.length }).end(NOT_FOUND);
    return;
  }
  const headers = { ...common, 'Last-Modified': LAST_MODIFIED, ETag: `"${body.length.toString(16)}-69b2c800"`, 'Accept-Ranges': 'bytes' };
  const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
  const start = match ? Number(match[1]) : 0;
  if (start >= body.length && match) {
    record.status = 416;
    response.writeHead(416, { ...headers, 'Content-Range': `bytes */${body.length}`, 'Content-Length': 0 }).end();
    return;
  }
  const part = body.subarray(start);
  record.status = match ? 206 : 200;
  response.writeHead(record.status, {
    ...headers,
    'Content-Length': part.length,
    ...(match ? { 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
  });
  await pipeline(
    Readable.from(
      (function* () {
        for (let offset = 0; offset < part.length; offset += CHUNK) {
          const piece = part.subarray(offset, offset + CHUNK);
          record.bodyBytes += piece.length;
          yield piece;
        }
      })(),
      { objectMode: false },
    ),
    response,
  );
}
