import type { ApiClient } from '../../../src/api/client.js';
import { useRegistrationStore } from './registrationStore.js';

/** Mirrors the pushed registration state (`registration.changed`) into its store. */
export function bindRegistrationStore(client: ApiClient): void {
  client.subscribe('registration.changed', (status) => useRegistrationStore.setState({ status }));
}
