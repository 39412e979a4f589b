import { z } from 'zod';
import { AppError } from '../api/errors.js';
import { canonicalJsonBytes } from '../update/canonicalJson.js';
import { UTC_SECONDS, type VerifyEd25519, fromBase64, toBase64 } from './licenseFile.js';

/**
 * The signed revocation list (docs/licensing.md): `{ format, list, signature }`, the signature being
 * Ed25519 by the vendor's licence key over `hc-revocations-v1\n` + canonical JSON of `list`. Versions
 * only go up: a headset refuses a list older than the one it has (a replayed list would un-revoke).
 * `issuedAt` is signed, so it is also a trusted time for the clock's high-water mark.
 */
export const REVOCATIONS_FORMAT = 'hc-revocations-v1';
export const MAX_REVOCATIONS_BYTES = 1024 * 1024;

export const revocationListSchema = z
  .object({
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    issuedAt: z.string().regex(UTC_SECONDS),
    serials: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/))
      .max(100_000)
      .refine((list) => list.every((s, i) => i === 0 || list[i - 1]! < s), 'sorted and without duplicates'),
  })
  .strict();
export type RevocationList = z.infer<typeof revocationListSchema>;

const envelopeSchema = z.object({ format: z.literal(REVOCATIONS_FORMAT), list: revocationListSchema, signature: z.string() }).strict();

export function revocationSigningBytes(list: RevocationList): Uint8Array {
  const label = new TextEncoder().encode(`${REVOCATIONS_FORMAT}\n`);
  const body = canonicalJsonBytes(list);
  const out = new Uint8Array(label.length + body.length);
  out.set(label);
  out.set(body, label.length);
  return out;
}

export function encodeRevocationList(list: RevocationList, signature: Uint8Array): string {
  return `${JSON.stringify({ format: REVOCATIONS_FORMAT, list, signature: toBase64(signature) })}\n`;
}

/** Parses and verifies a revocation list; LICENSE_REVOCATIONS_INVALID on any fault. */
export function verifyRevocationList(text: string, vendorKey: Uint8Array, verify: VerifyEd25519): RevocationList {
  if (text.length > MAX_REVOCATIONS_BYTES) throw new AppError('LICENSE_REVOCATIONS_INVALID', 'The revocation list is too large.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('LICENSE_REVOCATIONS_INVALID', 'The revocation list is not JSON.');
  }
  const parsed = envelopeSchema.safeParse(value);
  if (!parsed.success) throw new AppError('LICENSE_REVOCATIONS_INVALID', `The revocation list is not ${REVOCATIONS_FORMAT}.`);
  let signature: Uint8Array;
  try {
    signature = fromBase64(parsed.data.signature);
  } catch {
    throw new AppError('LICENSE_REVOCATIONS_INVALID', 'The revocation list signature is not base64.');
  }
  if (signature.length !== 64 || !verify(signature, revocationSigningBytes(parsed.data.list), vendorKey))
    throw new AppError('LICENSE_REVOCATIONS_INVALID', "The revocation list's signature does not verify with the vendor's licence key.");
  return parsed.data.list;
}

/** A fetched list may replace the cached one only when it is not older (LICENSE_REVOCATIONS_OLDER). */
export function assertNotOlder(incoming: RevocationList, cached: RevocationList | undefined): void {
  if (cached && incoming.version < cached.version)
    throw new AppError('LICENSE_REVOCATIONS_OLDER', undefined, { version: incoming.version, cachedVersion: cached.version });
}

/** Where a fleet server serves its current list (GET, unauthenticated: the list is signed, and public). */
export const LICENSE_REVOCATIONS_PATH = '/api/v1/licenses/revocations';
