import type { ApiClient } from '../../../src/api/client.js';
import { useRecoveryInstallStore } from './recoveryInstallStore.js';

/** Mirrors the pushed recovery install state (`recovery.installChanged`) into its store. */
export function bindRecoveryInstallStore(client: ApiClient): void {
  client.subscribe('recovery.installChanged', (state) => useRecoveryInstallStore.setState({ state }));
}
