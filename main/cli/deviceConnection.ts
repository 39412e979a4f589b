import WebSocket from 'ws';
import { ApiClient } from '../../src/api/client.js';
import type { Port } from '../../src/api/port.js';
import { connectUnixSocket } from '../transports/UnixSocketPort.js';
import { UsageError } from './command.js';

export const DEFAULT_SOCKET = '/run/headsetd/headsetd.sock';

/**
 * Connects to a running headsetd: its Unix socket (on the device, or DIR/run/headsetd.sock of a
 * simulated headset), or the web host's address as headsetd printed it (token in the fragment).
 */
export async function connectToDevice(options: { socket?: string; url?: string; root?: string }): Promise<ApiClient> {
  if (options.url) return new ApiClient(await webSocketPort(options.url));
  const socket = options.socket ?? (options.root ? `${options.root.replace(/\/+$/, '')}/run/headsetd.sock` : DEFAULT_SOCKET);
  try {
    return new ApiClient(await connectUnixSocket(socket));
  } catch (error) {
    throw new UsageError(
      `cannot reach headsetd at ${socket} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); is it running? (--socket, --root or --url)`,
    );
  }
}

async function webSocketPort(address: string): Promise<Port> {
  const url = new URL(address);
  const token = new URLSearchParams(url.hash.slice(1)).get('token');
  if (!token) throw new UsageError('--url needs the address headsetd printed, with #token=…');
  const ws = new WebSocket(`ws://${url.host}/api`, ['headset.v1', `token.${token}`], { origin: url.origin, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (error) => reject(new UsageError(`cannot reach headsetd at ${url.origin}: ${error.message}`)));
    ws.once('unexpected-response', (_request, response) =>
      reject(new UsageError(`headsetd at ${url.origin} refused the connection (${response.statusCode}); the address is from another start?`)),
    );
  });
  const messageHandlers: ((m: string) => void)[] = [];
  const closeHandlers: (() => void)[] = [];
  ws.on('message', (data) => messageHandlers.forEach((h) => h(data.toString())));
  ws.on('close', () => closeHandlers.forEach((h) => h()));
  return {
    post: (m) => ws.readyState === ws.OPEN && ws.send(m),
    onMessage: (h) => void messageHandlers.push(h),
    onClose: (h) => void closeHandlers.push(h),
    close: () => ws.close(),
  };
}
