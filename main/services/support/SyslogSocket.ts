import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * A `/dev/log` inside the view's chroot, where internal-sftp (chrooted, so it cannot reach the
 * system's) sends its syslog messages. glibc falls back to a stream socket when the path is not a
 * datagram one, ending each message with a NUL: Node has no Unix datagram sockets, and needs none.
 */
export class SyslogSocket {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly path: string,
    private readonly onMessage: (message: string) => void,
  ) {}

  async listen(): Promise<void> {
    await unlink(this.path).catch(() => undefined);
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      let pending = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        pending += chunk;
        const parts = pending.split(/\0|\n/);
        pending = parts.pop() ?? '';
        // A runaway sender cannot grow the buffer without bound.
        if (pending.length > 64 * 1024) pending = '';
        for (const part of parts) if (part.trim()) this.onMessage(part);
      });
      socket.on('error', () => undefined);
      socket.on('end', () => {
        if (pending.trim()) this.onMessage(pending);
        pending = '';
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    // The sftp session runs as the support account: it must be able to write here.
    await chmod(this.path, 0o666);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await unlink(this.path).catch(() => undefined);
  }
}
