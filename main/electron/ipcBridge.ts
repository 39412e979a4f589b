import { ipcMain, type IpcMainEvent, type WebContents } from 'electron';
import type { Port } from '../../src/api/port.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/api/protocol.js';
import { connectUnixSocket } from '../transports/UnixSocketPort.js';
import { APP_ORIGIN } from './appProtocol.js';

const CHANNEL = 'headset:api';

/**
 * Relays each window's API messages to headsetd's socket, one socket connection per window.
 * Messages are accepted only from the window's top-level frame on the app origin.
 */
export class IpcBridge {
  private readonly ports = new Map<number, Port>();

  constructor(private readonly socketPath: string) {
    ipcMain.on(CHANNEL, (event, message: unknown) => this.receive(event, message));
  }

  async attach(contents: WebContents): Promise<void> {
    const port = await connectUnixSocket(this.socketPath);
    this.ports.set(contents.id, port);
    port.onMessage((message) => {
      if (!contents.isDestroyed()) contents.send(CHANNEL, message);
    });
    port.onClose(() => this.ports.delete(contents.id));
    contents.once('destroyed', () => {
      port.close();
      this.ports.delete(contents.id);
    });
  }

  private receive(event: IpcMainEvent, message: unknown): void {
    if (!isTrustedSender(event)) return;
    if (typeof message !== 'string' || message.length > DEFAULT_MAX_MESSAGE_BYTES) return;
    this.ports.get(event.sender.id)?.post(message);
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
