import type { ApiClient } from '../../../src/api/client.js';
import { useConnectionStore } from './connectionStore.js';

/**
 * Tracks the connection in the connection store: disconnected when the client closes, connected once
 * `bindAll` has bound every store (the close listener comes first so a close while binding is seen).
 */
export async function bindConnectionStore(client: ApiClient, bindAll: () => Promise<void>): Promise<void> {
  client.onClose(() => useConnectionStore.setState({ status: 'disconnected', reason: 'The connection to the headset closed.' }, true));
  await bindAll();
  useConnectionStore.setState({ status: 'connected' }, true);
}
