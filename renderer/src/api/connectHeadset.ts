import type { ApiClient } from '../../../src/api/client.js';
import type { Port } from '../../../src/api/port.js';
import type { ReconnectBackoff } from '../../../src/api/reconnectBackoff.js';
import { ReconnectingClient, type ReconnectTimers } from '../../../src/api/ReconnectingClient.js';
import { useConnectionStore } from './connectionStore.js';
import { useReconnectStore } from './reconnectStore.js';

export interface ConnectHeadsetOptions {
  open: () => Promise<Port>;
  /** Binds every store to a new client (app/bindStores.ts): each connection, the first and every one after a loss. */
  bindStores: (client: ApiClient) => Promise<void>;
  /** The screens get the new client (ClientContext), so what they load is loaded again. */
  onClient: (client: ApiClient) => void;
  backoff?: ReconnectBackoff;
  timers?: ReconnectTimers;
}

/**
 * The page's connection to headsetd, kept up: the stores are bound again on every new connection
 * while the screens stay mounted (the screen and its place are kept), the connection store says
 * when the page is not live, and the reconnect store what is being done about it.
 */
export function connectHeadset(options: ConnectHeadsetOptions): ReconnectingClient {
  const connection: ReconnectingClient = new ReconnectingClient({
    open: options.open,
    setUp: async (client) => {
      // The screens get the client first: the mode that bindStores learns mounts screens that use it.
      options.onClient(client);
      await options.bindStores(client);
    },
    onPhase: (phase) => {
      // A first connection that fails never had a client to close: say so here.
      if (phase.status === 'waiting' && useConnectionStore.getState().status === 'connecting')
        useConnectionStore.setState({ status: 'disconnected', reason: phase.reason }, true);
      useReconnectStore.setState({ phase });
    },
    backoff: options.backoff,
    timers: options.timers,
  });
  useReconnectStore.setState({ retry: () => connection.retryNow() });
  connection.start();
  return connection;
}
