import type { ApiClient } from '../../../src/api/client.js';
import { useResetStore } from './resetStore.js';

/** Mirrors the pushed reset state (`reset.changed`) into the reset store. */
export function bindResetStore(client: ApiClient): void {
  client.subscribe('reset.changed', (state) => useResetStore.setState({ state }));
}
