import { ipcMain, type IpcMainEvent, type WebContents } from 'electron';
import type { Port } from '../../src/api/port.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/api/protocol.js';
import { connectUnixSocket } from '../transports/UnixSocketPort.js';
import { APP_ORIGIN } from './appProtocol.js';

const CHANNEL = 'headset:api';
const CONNECT = 'headset:connect';
const CONNECTION = 'headset:connection';

interface WindowConnection {
  /** Counts the page's connect requests: an answer to an older one is dropped. */
  generation: number;
  port?: Port;
}

/**
 * Relays each window's API messages to headsetd's socket, one socket connection per window, made
 * when the page asks (`headset:connect`) and made again each time it asks after a loss (headsetd
 * restarted: systemd or the launcher brings it back, and the page reconnects with its backoff).
 * The page hears `open` or `closed` on `headset:connection`. Messages are accepted only from the
 * window's top-level frame on the app origin.
 */
export class IpcBridge {
  private readonly windows = new Map<number, WindowConnection>();

  constructor(private readonly socketPath: string) {
    ipcMain.on(CHANNEL, (event, message: unknown) => this.receive(event, message));
    ipcMain.on(CONNECT, (event) => {
      if (isTrustedSender(event)) void this.connect(event.sender);
    });
  }

  /** Tracks a window; its page asks for its connection once loaded. */
  attach(contents: WebContents): void {
    this.windows.set(contents.id, { generation: 0 });
    contents.once('destroyed', () => {
      this.windows.get(contents.id)?.port?.close();
      this.windows.delete(contents.id);
    });
  }

  private async connect(contents: WebContents): Promise<void> {
    const window = this.windows.get(contents.id);
    if (!window) return;
    const generation = ++window.generation;
    // The page starts over: the last connection (if any) goes before the next one is made.
    const previous = window.port;
    window.port = undefined;
    previous?.close();
    let port: Port;
    try {
      port = await connectUnixSocket(this.socketPath);
    } catch {
      if (window.generation === generation) this.tell(contents, 'closed');
      return;
    }
    if (window.generation !== generation || contents.isDestroyed()) return port.close();
    window.port = port;
    port.onMessage((message) => {
      if (window.port === port && !contents.isDestroyed()) contents.send(CHANNEL, message);
    });
    port.onClose(() => {
      if (window.port !== port) return;
      window.port = undefined;
      this.tell(contents, 'closed');
    });
    this.tell(contents, 'open');
  }

  private tell(contents: WebContents, state: 'open' | 'closed'): void {
    if (!contents.isDestroyed()) contents.send(CONNECTION, state);
  }

  private receive(event: IpcMainEvent, message: unknown): void {
    if (!isTrustedSender(event)) return;
    if (typeof message !== 'string' || message.length > DEFAULT_MAX_MESSAGE_BYTES) return;
    this.windows.get(event.sender.id)?.port?.post(message);
  }
}

export function isTrustedSender(event: IpcMainEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN;
  } catch {
    return false;
  }
}
