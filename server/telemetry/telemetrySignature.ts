import { createHash } from 'node:crypto';
import { FleetError } from '../../src/fleet/errors.js';
import { PUBLIC_KEY_PATTERN, SIGNATURE_PATTERN } from '../../src/fleet/signing.js';
import { TELEMETRY_DATE_WINDOW_MS, TELEMETRY_SIGNATURE_HEADERS, telemetrySignedText } from '../../src/fleet/telemetryApi.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/Database.js';
import { verifyEd25519 } from '../devices/ed25519.js';

/** A checked export signature: the week's telemetry key, and what identifies this one request. */
export interface TelemetrySignature {
  publicKey: string;
  /** SHA-256 of the signature: a replay carries the same one. */
  signatureHash: string;
  signedAt: Date;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** How long a skewed headset is told to wait before signing again. */
const SKEW_RETRY_AFTER_SECONDS = 60;

/**
 * Verifies an export's signature as docs/telemetry-forwarding.md says: Ed25519 by the key in
 * `x-headset-device` (this week's telemetry key, not the identity key) over
 * `POST\n<path>\n<date>\n<hex sha256 of the body as sent>`, with the date near the server's clock.
 * The key is not looked up anywhere: any key may send (the server learns it by its first valid
 * request); what the signature proves is that the body and date are the sender's.
 */
export function verifyTelemetrySignature(
  clock: Clock,
  request: { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: Buffer },
): TelemetrySignature {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const publicKey = header(TELEMETRY_SIGNATURE_HEADERS.key);
  const date = header(TELEMETRY_SIGNATURE_HEADERS.date);
  const signature = header(TELEMETRY_SIGNATURE_HEADERS.signature);
  if (!publicKey || !PUBLIC_KEY_PATTERN.test(publicKey) || !date || !ISO_DATE.test(date) || !signature || !SIGNATURE_PATTERN.test(signature)) {
    throw new FleetError('TELEMETRY_SIGNATURE_MISSING');
  }
  const signedAt = Date.parse(date);
  if (Number.isNaN(signedAt)) throw new FleetError('TELEMETRY_SIGNATURE_MISSING');
  const digest = createHash('sha256').update(request.body).digest('hex');
  if (!verifyEd25519(publicKey, telemetrySignedText(request.method, request.path, date, digest), signature)) {
    throw new FleetError('TELEMETRY_SIGNATURE_INVALID');
  }
  // Checked after the signature, so only the key's holder learns how far off its clock is.
  const skewMs = signedAt - clock.now().getTime();
  if (Math.abs(skewMs) > TELEMETRY_DATE_WINDOW_MS) {
    throw new FleetError('TELEMETRY_DATE_SKEWED', undefined, { skewSeconds: Math.round(skewMs / 1000), retryAfterSeconds: SKEW_RETRY_AFTER_SECONDS });
  }
  return { publicKey, signatureHash: createHash('sha256').update(signature).digest('hex'), signedAt: new Date(signedAt) };
}

/**
 * Remembers the signature until its date leaves the window; refuses one seen before. Called in the
 * transaction that stores the export, so an export that failed to store can be sent again, and of
 * two copies sent at once to any server processes exactly one is taken.
 */
export async function rememberSignature(tx: Queryable, signature: TelemetrySignature): Promise<void> {
  const result = await tx.query('INSERT INTO telemetry_signatures (signature_hash, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    signature.signatureHash,
    new Date(signature.signedAt.getTime() + TELEMETRY_DATE_WINDOW_MS + 60_000),
  ]);
  if (result.rowCount !== 1) throw new FleetError('TELEMETRY_REPLAYED');
}
