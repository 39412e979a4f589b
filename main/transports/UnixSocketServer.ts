import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Scope } from '../../src/api/contract.js';
import { AppError } from '../../src/api/errors.js';
import type { ApiRouter } from '../../src/api/router.js';
import { socketPort } from './UnixSocketPort.js';

export interface UnixSocketServerOptions {
  path: string;
  router: ApiRouter;
  scopes: ReadonlySet<Scope>;
  /** Socket file mode: owner and group (the UI user's group) only. */
  mode?: number;
  maxMessageBytes?: number;
}

/**
 * headsetd's API socket for Electron main and headsetctl. Access is by file permissions: the socket
 * is 0660, so only root and the UI's group can connect. (Node has no SO_PEERCRED; the unit's
 * RuntimeDirectoryMode keeps the folder closed as well.)
 */
export async function listenUnixSocket(options: UnixSocketServerOptions): Promise<{ server: Server; close(): Promise<void> }> {
  await removeStaleSocket(options.path);
  let nextConnection = 1;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const port = socketPort(socket, {
      maxMessageBytes: options.maxMessageBytes,
      onOversized: (p) => p.post(JSON.stringify({ type: 'error', id: null, error: new AppError('MESSAGE_TOO_LARGE').toPayload() })),
    });
    options.router.connect(port, { label: `unix #${nextConnection++}`, scopes: options.scopes });
  });
  await new Promise<void>((resolve, reject) => {
    // A restrictive umask while binding: the socket is never world-accessible, not even for a moment.
    const previous = process.umask(0o117);
    // Restored on failure too: the umask is process-wide, every later file would inherit it.
    const fail = (error: Error) => {
      process.umask(previous);
      reject(error);
    };
    server.once('error', fail);
    server.listen(options.path, () => {
      process.umask(previous);
      server.off('error', fail);
      resolve();
    });
  });
  await chmod(options.path, options.mode ?? 0o660);
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Connected clients would hold close() open for ever.
        for (const socket of sockets) socket.destroy();
        void unlink(options.path).catch(() => undefined);
      }),
  };
}

/** A socket file left by a previous run that nobody listens on any more is removed; a live one is an error. */
async function removeStaleSocket(path: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`Another headsetd is already listening on ${path}`);
  const existing = await lstat(path).catch(() => undefined);
  if (existing && !existing.isSocket()) throw new Error(`${path} exists and is not a socket: refusing to replace it`);
  if (existing) await unlink(path);
}
