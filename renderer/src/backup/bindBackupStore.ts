import type { ApiClient } from '../../../src/api/client.js';
import { useBackupStore } from './backupStore.js';

/** Mirrors the pushed backup overview (`backup.changed`) into the backup store. */
export function bindBackupStore(client: ApiClient): void {
  client.subscribe('backup.changed', (overview) => useBackupStore.getState().setOverview(overview));
}
