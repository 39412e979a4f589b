import { FleetError } from '../../src/fleet/errors.js';
import type { Inventory } from '../../src/fleet/inventory.js';
import type { DeviceDecision, DeviceDetail, DeviceStatus, DeviceSummary } from '../../src/fleet/operatorApi.js';
import { appendAudit } from '../audit.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/Database.js';
import { replaceDeviceKey } from './deviceKeys.js';

/** The headsets as operators see them: lists, a headset's page, and their decisions on it. */

interface DeviceRow {
  device_id: string;
  status: DeviceStatus;
  registered_at: Date;
  last_seen_at: Date | null;
  reregistered: boolean;
  pending_public_key: string | null;
  inventory: Inventory | null;
}

const SUMMARY_COLUMNS = 'device_id, status, registered_at, last_seen_at, reregistered, pending_public_key, inventory';

function toSummary(row: DeviceRow): DeviceSummary {
  return {
    deviceId: row.device_id,
    status: row.status,
    model: row.inventory?.model ?? null,
    appVersion: row.inventory?.appVersion ?? null,
    groupTags: row.inventory?.groupTags ?? [],
    registeredAt: row.registered_at.toISOString(),
    lastSeenAt: row.last_seen_at?.toISOString() ?? null,
    reregistered: row.reregistered,
    keyAwaitingApproval: row.pending_public_key !== null,
  };
}

/** Those waiting for an operator first (pending, or a new key), then the most recently seen. */
export async function listDevices(db: Queryable, status?: DeviceStatus): Promise<DeviceSummary[]> {
  const rows = (
    await db.query<DeviceRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM devices WHERE ($1::text IS NULL OR status = $1)
       ORDER BY (status = 'pending' OR pending_public_key IS NOT NULL) DESC, last_seen_at DESC NULLS LAST, registered_at DESC LIMIT 1000`,
      [status ?? null],
    )
  ).rows;
  return rows.map(toSummary);
}

interface DetailRow extends DeviceRow {
  public_key: string;
  status_changed_at: Date;
  status_changed_by: string | null;
  inventory_at: Date | null;
}

export async function getDevice(db: Queryable, deviceId: string): Promise<DeviceDetail> {
  const row = (
    await db.query<DetailRow>(
      `SELECT ${SUMMARY_COLUMNS}, public_key, status_changed_at, status_changed_by, inventory_at FROM devices WHERE device_id = $1`,
      [deviceId],
    )
  ).rows[0];
  if (!row) throw new FleetError('DEVICE_NOT_FOUND');
  const previous = (
    await db.query<{ public_key: string; registered_at: Date; replaced_at: Date }>(
      'SELECT public_key, registered_at, replaced_at FROM device_previous_keys WHERE device_id = $1 ORDER BY replaced_at DESC',
      [deviceId],
    )
  ).rows;
  return {
    ...toSummary(row),
    publicKey: row.public_key,
    pendingPublicKey: row.pending_public_key,
    statusChangedAt: row.status_changed_at.toISOString(),
    statusChangedBy: row.status_changed_by,
    inventory: row.inventory,
    inventoryAt: row.inventory_at?.toISOString() ?? null,
    previousKeys: previous.map((k) => ({
      publicKey: k.public_key,
      registeredAt: k.registered_at.toISOString(),
      replacedAt: k.replaced_at.toISOString(),
    })),
  };
}

/** Which states each decision moves a headset from, and to. Decommissioning is final. */
const DECISIONS: Record<DeviceDecision, { from: DeviceStatus[]; to: DeviceStatus }> = {
  accept: { from: ['pending', 'rejected'], to: 'accepted' },
  reject: { from: ['pending'], to: 'rejected' },
  decommission: { from: ['pending', 'accepted', 'rejected'], to: 'decommissioned' },
};

/**
 * Applies an operator's decision, atomically: of two operators deciding at once, the second is told
 * the state moved. On an accepted headset with a new key waiting, accept switches to the new key and
 * reject drops it (the headset stays accepted with its current key).
 */
export async function decideOnDevice(
  db: Database,
  clock: Clock,
  operator: string,
  deviceId: string,
  decision: DeviceDecision,
): Promise<DeviceDetail> {
  const now = clock.now();
  await db.transaction(async (tx) => {
    const row = (
      await tx.query<{ status: DeviceStatus; pending_public_key: string | null }>(
        'SELECT status, pending_public_key FROM devices WHERE device_id = $1 FOR UPDATE',
        [deviceId],
      )
    ).rows[0];
    if (!row) throw new FleetError('DEVICE_NOT_FOUND');
    const audit = (action: string) => appendAudit(tx, { at: now, actor: operator, action, subject: deviceId });
    if (row.status === 'accepted' && row.pending_public_key !== null && decision !== 'decommission') {
      if (decision === 'accept') await replaceDeviceKey(tx, deviceId, row.pending_public_key, now);
      else await tx.query('UPDATE devices SET pending_public_key = NULL, pending_key_since = NULL WHERE device_id = $1', [deviceId]);
      await tx.query('UPDATE devices SET status_changed_at = $2, status_changed_by = $3 WHERE device_id = $1', [deviceId, now, operator]);
      await audit(decision === 'accept' ? 'device.new-key-accepted' : 'device.new-key-rejected');
      return;
    }
    const { from, to } = DECISIONS[decision];
    if (!from.includes(row.status)) {
      throw new FleetError('DEVICE_STATE_CONFLICT', `A ${row.status} headset cannot be given "${decision}".`, { status: row.status });
    }
    await tx.query(
      'UPDATE devices SET status = $2, status_changed_at = $3, status_changed_by = $4, pending_public_key = NULL, pending_key_since = NULL WHERE device_id = $1',
      [deviceId, to, now, operator],
    );
    await audit(`device.${decision}`);
  });
  return getDevice(db, deviceId);
}
