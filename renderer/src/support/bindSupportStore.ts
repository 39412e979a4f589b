import type { ApiClient } from '../../../src/api/client.js';
import { useSupportStore } from './supportStore.js';

/** Mirrors the pushed support state (`support.changed`) into the support store. */
export function bindSupportStore(client: ApiClient): void {
  client.subscribe('support.changed', (status) => useSupportStore.getState().setStatus(status));
}
