import type { ApiClient } from '../../../src/api/client.js';
import { useAlertsStore } from './alertsStore.js';

/** Mirrors the pushed alerts (`alerts.changed`) into the alerts store. */
export function bindAlertsStore(client: ApiClient): void {
  client.subscribe('alerts.changed', ({ alerts }) => useAlertsStore.setState({ alerts }));
}
