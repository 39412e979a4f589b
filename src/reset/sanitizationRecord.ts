import { z } from 'zod';
import { AppError } from '../api/errors.js';
import { WIPE_SCOPES } from './wipeScopes.js';

/**
 * A sanitization record (NIST SP 800-88's certificate of sanitization): what was erased, in which
 * scopes, how, whether verification passed, when, by which software, signed with the device's
 * Ed25519 identity key over the canonical JSON of `record`. Kept on the persist partition (which no
 * reset touches), exported with the logs, checked by `headsetctl sanitization verify FILE`.
 */
export const SANITIZATION_FORMAT = 'headset-sanitization/1';

export const sanitizedClassSchema = z
  .object({
    classId: z.string(),
    title: z.string(),
    method: z.enum(['crypto-erase', 'overwrite', 'crypto-erase+overwrite', 'nothing-stored']),
    files: z.number().int().nonnegative(),
    encryptedFiles: z.number().int().nonnegative(),
    plaintextFiles: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    keyDestroyed: z.boolean(),
    /** How the key went: its key file destroyed, or (linux) its fscrypt policy (kernel key evicted, key file and protector destroyed). */
    keyErasure: z.enum(['key-file', 'fscrypt-policy']).optional(),
    verified: z.boolean(),
  })
  .strict();

export const sanitizationRecordSchema = z
  .object({
    format: z.literal(SANITIZATION_FORMAT),
    id: z.string().uuid(),
    deviceId: z.string(),
    model: z.string(),
    scopes: z.array(z.enum(WIPE_SCOPES)).min(1),
    classes: z.array(sanitizedClassSchema),
    /** Classes a wipe of these scopes leaves on purpose (calibration...), with their SHA-256 where it proves them unchanged. */
    kept: z.array(z.object({ classId: z.string(), sha256: z.string().nullable() }).strict()),
    /** Passes over plaintext files before deletion, and why more than one was chosen (if it was). */
    overwritePasses: z.number().int().min(1).max(3),
    overwriteReason: z.string().nullable(),
    /** Device-level checks beyond the classes (on linux: LUKS2 keyslots after `cryptsetup erase`). */
    checks: z.array(z.object({ name: z.string(), passed: z.boolean(), detail: z.string() }).strict()),
    verification: z.enum(['passed', 'failed']),
    startedAt: z.string().datetime({ offset: true }),
    finishedAt: z.string().datetime({ offset: true }),
    software: z.object({ appVersion: z.string(), commit: z.string() }).strict(),
    /** The identity key that signs it (base64 of the 32-byte Ed25519 public key). */
    publicKey: z.string(),
  })
  .strict();
export type SanitizationRecord = z.infer<typeof sanitizationRecordSchema>;

export const signedSanitizationRecordSchema = z
  .object({
    record: sanitizationRecordSchema,
    /** base64 Ed25519 signature of canonicalJson(record). */
    signature: z.string(),
  })
  .strict();
export type SignedSanitizationRecord = z.infer<typeof signedSanitizationRecordSchema>;

/** JSON with object keys sorted at every level: the bytes a record's signature covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What a sanitization record's signature covers, as bytes. */
export function sanitizationSigningBytes(record: SanitizationRecord): Uint8Array {
  return new TextEncoder().encode(`${SANITIZATION_FORMAT}\n${canonicalJson(record)}`);
}

/**
 * Parses a signed record and checks its signature with `verify` (Ed25519, the caller's library),
 * and, when given, that it is signed by `expectedPublicKey`. Throws SANITIZATION_RECORD_MALFORMED
 * or SANITIZATION_RECORD_FORGED.
 */
export function checkSanitizationRecord(
  text: string,
  verify: (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean,
  expectedPublicKey?: string,
): SanitizationRecord {
  let signed: SignedSanitizationRecord;
  try {
    signed = signedSanitizationRecordSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new AppError('SANITIZATION_RECORD_MALFORMED', undefined, { reason: (error as Error).message.split('\n')[0] });
  }
  const publicKey = base64Bytes(signed.record.publicKey);
  const signature = base64Bytes(signed.signature);
  if (publicKey?.length !== 32 || signature?.length !== 64)
    throw new AppError('SANITIZATION_RECORD_MALFORMED', undefined, { reason: 'key or signature length' });
  if (!verify(sanitizationSigningBytes(signed.record), signature, publicKey))
    throw new AppError('SANITIZATION_RECORD_FORGED', undefined, { reason: 'signature' });
  if (expectedPublicKey !== undefined && expectedPublicKey !== signed.record.publicKey)
    throw new AppError('SANITIZATION_RECORD_FORGED', undefined, { reason: 'signed by another key' });
  return signed.record;
}

function base64Bytes(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
