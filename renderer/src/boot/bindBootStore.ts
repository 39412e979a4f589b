import type { ApiClient } from '../../../src/api/client.js';
import { useBootStore } from './bootStore.js';

/** Mirrors the pushed boot status (`boot.changed`) into the boot store. */
export function bindBootStore(client: ApiClient): void {
  client.subscribe('boot.changed', (status) => useBootStore.setState({ status }));
}
