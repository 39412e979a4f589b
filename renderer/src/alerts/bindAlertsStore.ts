import type { ApiClient } from '../../../src/api/client.js';
import { useAlertsStore } from './alertsStore.js';

/** Mirrors the pushed alerts (`alerts.changed`) into the alerts store, and loads the headset's thresholds (read once, never pushed). */
export async function bindAlertsStore(client: ApiClient): Promise<void> {
  client.subscribe('alerts.changed', ({ alerts }) => useAlertsStore.setState({ alerts }));
  useAlertsStore.setState({ thresholds: await client.call('alerts.thresholds') });
}
