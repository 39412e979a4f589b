import { createHash } from 'node:crypto';
import { FleetError } from '../../src/fleet/errors.js';
import { NONCE_PATTERN, SIGNATURE_PATTERN, SIGNED_REQUEST_HEADERS, SIGNED_REQUEST_WINDOW_MS, requestMessage } from '../../src/fleet/signing.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/Database.js';
import { verifyEd25519 } from './ed25519.js';

export interface SignedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | undefined;
}

const DEVICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Checks a headset's signed request and returns its device id: the signature over method, path, body
 * hash, timestamp and nonce verifies with the key the device registered; the timestamp is within
 * the window; the nonce was never seen (kept in the database, so a replay to another server process
 * is refused too). Only an accepted headset is served: a pending one is told so, a rejected or
 * decommissioned one gets nothing.
 */
export async function authenticateSignedRequest(db: Queryable, clock: Clock, request: SignedRequest): Promise<string> {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const deviceId = header(SIGNED_REQUEST_HEADERS.device)?.toLowerCase();
  const timestamp = header(SIGNED_REQUEST_HEADERS.timestamp);
  const nonce = header(SIGNED_REQUEST_HEADERS.nonce);
  const signature = header(SIGNED_REQUEST_HEADERS.signature);
  if (!deviceId || !DEVICE_ID.test(deviceId) || !timestamp || !/^\d{1,15}$/.test(timestamp) || !nonce || !NONCE_PATTERN.test(nonce)) {
    throw new FleetError('SIGNATURE_MISSING');
  }
  if (!signature || !SIGNATURE_PATTERN.test(signature)) throw new FleetError('SIGNATURE_MISSING');
  const now = clock.now().getTime();
  if (Math.abs(now - Number(timestamp)) > SIGNED_REQUEST_WINDOW_MS) throw new FleetError('REQUEST_EXPIRED');

  const device = (
    await db.query<{ public_key: string; pending_public_key: string | null; status: string }>(
      'SELECT public_key, pending_public_key, status FROM devices WHERE device_id = $1',
      [deviceId],
    )
  ).rows[0];
  if (!device) throw new FleetError('DEVICE_UNKNOWN');
  const bodySha256 = createHash('sha256')
    .update(request.body ?? Buffer.alloc(0))
    .digest('hex');
  const message = requestMessage({ method: request.method, path: request.url, bodySha256, timestamp, nonce, deviceId });
  // A new key waiting for approval is checked too, only so its headset can be told it waits.
  const byCurrentKey = verifyEd25519(device.public_key, message, signature);
  const byPendingKey = !byCurrentKey && device.pending_public_key !== null && verifyEd25519(device.pending_public_key, message, signature);
  if (!byCurrentKey && !byPendingKey) throw new FleetError('SIGNATURE_INVALID');

  // Only after the signature verifies: nobody else can use up a device's nonces.
  await db.query('DELETE FROM request_nonces WHERE device_id = $1 AND expires_at < $2', [deviceId, new Date(now)]);
  const fresh = await db.query('INSERT INTO request_nonces (device_id, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    deviceId,
    nonce,
    // Past the far edge of the window, so the nonce is remembered as long as its timestamp is acceptable.
    new Date(Number(timestamp) + SIGNED_REQUEST_WINDOW_MS + 60_000),
  ]);
  if (fresh.rowCount !== 1) throw new FleetError('REQUEST_REPLAYED');

  if (device.status === 'pending' || byPendingKey) throw new FleetError('REGISTRATION_PENDING');
  if (device.status !== 'accepted') throw new FleetError('DEVICE_REFUSED');
  return deviceId;
}
