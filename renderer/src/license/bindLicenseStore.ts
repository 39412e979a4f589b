import type { ApiClient } from '../../../src/api/client.js';
import { useLicenseStore } from './licenseStore.js';

/** Mirrors the pushed licence state (`license.changed`) into its store, and reads it once at connect. */
export function bindLicenseStore(client: ApiClient): void {
  client.subscribe('license.changed', (status) => useLicenseStore.setState({ status }));
  client.call('license.status').then(
    (status) => useLicenseStore.setState({ status }),
    () => undefined,
  );
}
