import type { ApiClient } from '../../../src/api/client.js';
import { useLockStore } from './lockStore.js';

/**
 * Mirrors the pushed lock (`lock.changed`) into the lock store; each push also reads how this
 * connection sees it (`lock.status`): a PIN set elsewhere locks this connection too.
 */
export function bindLockStore(client: ApiClient): void {
  client.subscribe('lock.changed', (state) => {
    useLockStore.setState({ state });
    client.call('lock.status').then(
      (status) => useLockStore.getState().setStatus(status),
      () => undefined, // a closed connection: the next one reads it again
    );
  });
}
