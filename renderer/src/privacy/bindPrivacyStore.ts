import type { ApiClient } from '../../../src/api/client.js';
import { usePrivacyStore } from './privacyStore.js';

/** Mirrors the pushed telemetry consent (`privacy.changed`) into the privacy store. */
export function bindPrivacyStore(client: ApiClient): void {
  client.subscribe('privacy.changed', (status) => usePrivacyStore.setState({ status }));
}
