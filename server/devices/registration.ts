import { FleetError } from '../../src/fleet/errors.js';
import type { RegistrationRequest, RegistrationResult } from '../../src/fleet/deviceApi.js';
import type { ReregistrationPolicy } from '../../src/fleet/operatorApi.js';
import { registrationMessage } from '../../src/fleet/signing.js';
import { appendAudit } from '../audit.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/Database.js';
import { consumeChallenge, openChallengeNonce } from './challenges.js';
import { verifyEd25519 } from './ed25519.js';
import { replaceDeviceKey } from './deviceKeys.js';
import { readReregistrationPolicy } from './reregistrationPolicy.js';

interface DeviceRow {
  public_key: string;
  pending_public_key: string | null;
  status: 'pending' | 'accepted' | 'rejected' | 'decommissioned';
}

type Outcome = 'pending' | 'accepted' | 'refused';

/**
 * A headset answers a challenge with its device id and public key, signed by that key's private half:
 * proof it holds the key. A new device id is pending until an operator accepts it, or accepted at
 * once when preauthorized (the preauthorization is used up). The same id with a new key (a factory
 * reset made a new one) follows the re-registration policy; until an operator approves the new key,
 * an accepted headset's current key keeps working, so registering someone else's device id takes
 * nothing over. A rejected or decommissioned headset is refused, whatever key it presents.
 */
export async function registerDevice(db: Database, clock: Clock, request: RegistrationRequest): Promise<RegistrationResult> {
  const nonce = await openChallengeNonce(db, clock, request.challengeId, request.deviceId);
  const message = registrationMessage({ challengeId: request.challengeId, nonce, deviceId: request.deviceId, publicKey: request.publicKey });
  // Checked before the challenge is used up, so a forged answer cannot burn a real headset's challenge.
  if (!verifyEd25519(request.publicKey, message, request.signature)) throw new FleetError('REGISTRATION_SIGNATURE_INVALID');
  const outcome = await db.transaction(async (tx) => {
    await consumeChallenge(tx, clock, request.challengeId);
    return decide(tx, clock, request);
  });
  // Refused after the transaction commits, so the attempt stays in the audit log.
  if (outcome === 'refused') throw new FleetError('DEVICE_REFUSED');
  return { deviceId: request.deviceId, status: outcome };
}

async function decide(tx: Queryable, clock: Clock, request: RegistrationRequest): Promise<Outcome> {
  const now = clock.now();
  const { deviceId, publicKey } = request;
  const audit = (action: string, details: Record<string, unknown>) =>
    appendAudit(tx, { at: now, actor: `device:${deviceId}`, action, subject: deviceId, details });
  const preauthorized = (await tx.query('DELETE FROM preauthorized_devices WHERE device_id = $1', [deviceId])).rowCount > 0;
  const created = await tx.query(
    `INSERT INTO devices (device_id, public_key, status, registered_at, status_changed_at, status_changed_by)
     VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (device_id) DO NOTHING`,
    [deviceId, publicKey, preauthorized ? 'accepted' : 'pending', now, preauthorized ? 'preauthorization' : null],
  );
  if (created.rowCount === 1) {
    await audit('device.registered', { preauthorized });
    return preauthorized ? 'accepted' : 'pending';
  }

  const device = (await tx.query<DeviceRow>('SELECT public_key, pending_public_key, status FROM devices WHERE device_id = $1 FOR UPDATE', [deviceId]))
    .rows[0]!;
  if (device.status === 'rejected' || device.status === 'decommissioned') {
    // Not even a preauthorization brings it back: an operator re-admits a rejected headset by accepting it.
    await audit('device.registration-refused', { status: device.status });
    return 'refused';
  }
  if (device.public_key === publicKey) {
    // The same key again (a headset that lost the answer): nothing changes, unless it was preauthorized meanwhile.
    if (!preauthorized || device.status === 'accepted') return device.status;
    await tx.query("UPDATE devices SET status = 'accepted', status_changed_at = $2, status_changed_by = 'preauthorization' WHERE device_id = $1", [
      deviceId,
      now,
    ]);
    await audit('device.accepted', { preauthorized });
    return 'accepted';
  }
  if (device.pending_public_key === publicKey && !preauthorized) return 'pending';

  const policy: ReregistrationPolicy = await readReregistrationPolicy(tx);
  // A preauthorization is an operator's yes in advance; otherwise the policy decides for a headset that was accepted.
  if (preauthorized || (policy === 'accept' && device.status === 'accepted')) {
    await replaceDeviceKey(tx, deviceId, publicKey, now);
    await tx.query("UPDATE devices SET status = 'accepted', status_changed_at = $2, status_changed_by = $3 WHERE device_id = $1", [
      deviceId,
      now,
      preauthorized ? 'preauthorization' : 're-registration policy',
    ]);
    await audit('device.reregistered', { policy, preauthorized, status: 'accepted' });
    return 'accepted';
  }
  if (device.status === 'accepted') {
    await tx.query('UPDATE devices SET pending_public_key = $2, pending_key_since = $3, reregistered = true WHERE device_id = $1', [
      deviceId,
      publicKey,
      now,
    ]);
  } else {
    // Never accepted: nothing to protect yet, and the operator sees it came back with another key.
    await replaceDeviceKey(tx, deviceId, publicKey, now);
  }
  await audit('device.reregistered', { policy, preauthorized, status: 'pending' });
  return 'pending';
}
