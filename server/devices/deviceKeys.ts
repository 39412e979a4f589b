import type { Queryable } from '../db/Database.js';

/** Makes `publicKey` the device's key, keeping the one it replaces in its history; clears a key waiting for approval. */
export async function replaceDeviceKey(tx: Queryable, deviceId: string, publicKey: string, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO device_previous_keys (device_id, public_key, registered_at, replaced_at)
     SELECT device_id, public_key, registered_at, $2 FROM devices WHERE device_id = $1
     ON CONFLICT (device_id, public_key) DO UPDATE SET replaced_at = EXCLUDED.replaced_at`,
    [deviceId, now],
  );
  await tx.query(
    'UPDATE devices SET public_key = $2, registered_at = $3, reregistered = true, pending_public_key = NULL, pending_key_since = NULL WHERE device_id = $1',
    [deviceId, publicKey, now],
  );
}
