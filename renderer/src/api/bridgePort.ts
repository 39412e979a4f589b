import type { Port } from '../../../src/api/port.js';
import type { HeadsetBridge } from './bridge.js';

/**
 * Opens ports over Electron's bridge: each `open()` asks main for a new socket to headsetd and
 * resolves on `open` (rejects on `closed`). The bridge's listeners are registered once; messages
 * and the close go to the port of the current connection only, so a dropped connection's late
 * messages never reach the next one.
 */
export function bridgePortOpener(bridge: HeadsetBridge): () => Promise<Port> {
  let current: BridgeConnection | undefined;
  bridge.onMessage((message) => current?.deliver(message));
  bridge.onConnection((state) => {
    if (state === 'open') current?.opened();
    else if (state === 'closed') current?.closed();
  });
  return () => {
    current?.closed();
    const connection = new BridgeConnection(bridge, () => current === connection && (current = undefined));
    current = connection;
    bridge.connect();
    return connection.ready;
  };
}

class BridgeConnection {
  readonly ready: Promise<Port>;
  private resolve!: (port: Port) => void;
  private reject!: (error: Error) => void;
  private readonly messageHandlers: ((message: string) => void)[] = [];
  private readonly closeHandlers: (() => void)[] = [];
  private state: 'opening' | 'open' | 'closed' = 'opening';

  constructor(
    private readonly bridge: HeadsetBridge,
    private readonly forget: () => void,
  ) {
    this.ready = new Promise<Port>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  opened(): void {
    if (this.state !== 'opening') return;
    this.state = 'open';
    this.resolve({
      post: (message) => this.state === 'open' && this.bridge.post(message),
      onMessage: (handler) => void this.messageHandlers.push(handler),
      onClose: (handler) => void this.closeHandlers.push(handler),
      // Main drops the socket when the page asks for the next one; until then nothing is sent.
      close: () => this.closed(),
    });
  }

  deliver(message: string): void {
    if (this.state === 'open') for (const handler of this.messageHandlers) handler(message);
  }

  closed(): void {
    const was = this.state;
    if (was === 'closed') return;
    this.state = 'closed';
    this.forget();
    if (was === 'opening') this.reject(new Error('The headset did not answer.'));
    else for (const handler of this.closeHandlers) handler();
  }
}
