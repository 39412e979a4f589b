import type { ApiClient } from '../../../src/api/client.js';
import { useHealthStore } from './healthStore.js';

/** Feeds each pushed health snapshot (`health.changed`) to the health store's trend. */
export function bindHealthStore(client: ApiClient): void {
  client.subscribe('health.changed', (snapshot) => useHealthStore.getState().push(snapshot));
}
