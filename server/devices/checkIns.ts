import type { CheckInResult } from '../../src/fleet/deviceApi.js';
import type { Inventory } from '../../src/fleet/inventory.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/Database.js';

/** How often the server asks headsets to check in. */
export const CHECK_IN_INTERVAL_SECONDS = 60;

/** Stores what an accepted headset reported, and when it was last seen. */
export async function recordCheckIn(db: Queryable, clock: Clock, deviceId: string, inventory: Inventory): Promise<CheckInResult> {
  const now = clock.now();
  await db.query('UPDATE devices SET inventory = $2, inventory_at = $3, last_seen_at = $3 WHERE device_id = $1', [
    deviceId,
    JSON.stringify(inventory),
    now,
  ]);
  return { serverTime: now.toISOString(), nextCheckInSeconds: CHECK_IN_INTERVAL_SECONDS };
}
