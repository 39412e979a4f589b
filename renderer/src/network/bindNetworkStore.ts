import type { ApiClient } from '../../../src/api/client.js';
import { useNetworkStore } from './networkStore.js';

/** Mirrors the pushed network state (`network.changed`) and picture (`network.overviewChanged`) into the network store. */
export function bindNetworkStore(client: ApiClient): void {
  client.subscribe('network.changed', (status) => useNetworkStore.setState({ status }));
  client.subscribe('network.overviewChanged', (overview) => useNetworkStore.getState().setOverview(overview));
}
