import type { ApiClient } from '../../../src/api/client.js';
import { useSetupStore } from './setupStore.js';

/** Mirrors the setup journal (`setup.changed`). The formats chosen there reach the screens through the wearer's profile (bindProfileStore). */
export function bindSetupStore(client: ApiClient): void {
  client.subscribe('setup.changed', (progress) => useSetupStore.setState({ progress }));
}
