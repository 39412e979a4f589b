import { connect, type Socket } from 'node:net';
import type { Port } from '../../src/api/port.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/api/protocol.js';
import { LineDecoder } from './LineFraming.js';

export interface StreamPortOptions {
  maxMessageBytes?: number;
  /** Bytes queued for a peer that does not read before it is dropped (a stalled peer must not grow us). */
  maxQueuedBytes?: number;
  /** Called when the peer sent a frame over the limit; the connection is then closed. */
  onOversized?: (port: Port) => void;
}

/** Adapts a connected stream socket to a Port, one newline-terminated JSON message per frame. */
export function socketPort(socket: Socket, options: StreamPortOptions = {}): Port {
  const decoder = new LineDecoder(options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
  const maxQueued = options.maxQueuedBytes ?? 8 * 1024 * 1024;
  const messageHandlers: ((message: string) => void)[] = [];
  const closeHandlers: (() => void)[] = [];
  let closed = false;
  const port: Port = {
    post(message) {
      if (closed) return;
      if (socket.writableLength > maxQueued) {
        socket.destroy();
        return;
      }
      socket.write(`${message}\n`);
    },
    onMessage: (handler) => void messageHandlers.push(handler),
    onClose: (handler) => void closeHandlers.push(handler),
    close: () => socket.end(),
  };
  socket.on('data', (chunk: Buffer) => {
    const messages = decoder.push(chunk);
    if (messages === 'too-large') {
      options.onOversized?.(port);
      // Stop reading, and close once the error is flushed: a plain end() left a peer that keeps
      // writing half-open for ever (its unread bytes kept 'end', and so 'close', from firing).
      socket.pause();
      socket.destroySoon();
      return;
    }
    for (const message of messages) for (const h of messageHandlers) h(message);
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    if (closed) return;
    closed = true;
    for (const h of closeHandlers) h();
  });
  return port;
}

/** Connects to headsetd's API socket (Electron main and headsetctl do this). */
export function connectUnixSocket(path: string, options: StreamPortOptions = {}): Promise<Port> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socketPort(socket, options));
    });
    socket.once('error', reject);
  });
}
