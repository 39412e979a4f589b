import type { ApiClient } from '../../../src/api/client.js';
import { useTracksStore } from './tracksStore.js';

/** Mirrors the pushed tracks state (`tracks.changed`) into its store, and reads it once at connect. */
export function bindTracksStore(client: ApiClient): void {
  client.subscribe('tracks.changed', (status) => useTracksStore.setState({ status }));
  client.call('tracks.status').then(
    (status) => useTracksStore.setState({ status }),
    () => undefined,
  );
}
