import { z } from 'zod';
import { AppError } from '../api/errors.js';
import { canonicalJsonBytes } from '../update/canonicalJson.js';

/**
 * The licence file (docs/licensing.md): a JSON envelope `{ format, license, signature }` where
 * `signature` is the detached Ed25519 signature, base64, of `licenseSigningBytes(license)`:
 * the UTF-8 bytes of `hc-license-v1\n` followed by the canonical JSON of the `license` object
 * (keys sorted, no whitespace; src/update/canonicalJson.ts). The label keeps a licence signature from
 * ever verifying as another kind of message signed with the same key (a revocation list).
 */
export const LICENSE_FORMAT = 'hc-license-v1';
export const LICENSE_FILE_EXTENSION = '.hclicense';
/** A licence file is small; anything larger is refused before parsing. */
export const MAX_LICENSE_FILE_BYTES = 16 * 1024;

/** UTC, whole seconds, `Z`: one spelling per instant, so the canonical bytes are unique. */
export const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const instant = z
  .string()
  .regex(UTC_SECONDS, 'a UTC time to the second, like 2027-01-31T00:00:00Z')
  .refine((text) => new Date(text).toISOString().replace('.000Z', 'Z') === text, 'not a real date');
const base64Of = (bytes: number) => z.string().refine((text) => decodesTo(text, bytes), `base64 of ${bytes} bytes`);

export const FEATURE_PATTERN = /^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*$/;

export const licenseBindingSchema = z.discriminatedUnion('kind', [
  /** Bound to the headset's device id (survives a new identity key; follows the hardware). */
  z.object({ kind: z.literal('device'), deviceId: z.string().min(1).max(128) }).strict(),
  /** Bound to the headset's Ed25519 identity public key, base64 (a full erase makes a new one). */
  z.object({ kind: z.literal('identityKey'), publicKey: base64Of(32) }).strict(),
]);
export type LicenseBinding = z.infer<typeof licenseBindingSchema>;

export const licenseSchema = z
  .object({
    serial: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/),
    licensee: z.string().min(1).max(200),
    binding: licenseBindingSchema,
    /** Sorted, no duplicates: the canonical form has one spelling. */
    features: z
      .array(z.string().regex(FEATURE_PATTERN).max(64))
      .max(64)
      .refine((list) => list.every((name, i) => i === 0 || list[i - 1]! < name), 'sorted and without duplicates'),
    issuedAt: instant,
    notBefore: instant,
    expiresAt: instant,
    /** Days the licence keeps working after its expiry (time to renew while offline). */
    graceDays: z.number().int().min(0).max(365),
  })
  .strict()
  .refine((l) => l.notBefore < l.expiresAt, 'notBefore must come before expiresAt');
export type License = z.infer<typeof licenseSchema>;

export const licenseFileSchema = z.object({ format: z.literal(LICENSE_FORMAT), license: licenseSchema, signature: base64Of(64) }).strict();
export type LicenseFile = z.infer<typeof licenseFileSchema>;

/** The exact bytes the vendor signs. */
export function licenseSigningBytes(license: License): Uint8Array {
  return concat(new TextEncoder().encode(`${LICENSE_FORMAT}\n`), canonicalJsonBytes(license));
}

/** Parses a licence file's text; the signature is checked separately (`verifyLicenseFile`). */
export function parseLicenseFile(text: string): LicenseFile {
  if (text.length > MAX_LICENSE_FILE_BYTES) throw new AppError('LICENSE_INVALID', `A licence file is at most ${MAX_LICENSE_FILE_BYTES} bytes.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('LICENSE_INVALID', 'The licence file is not JSON.');
  }
  const parsed = licenseFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('LICENSE_INVALID', `The licence file is not ${LICENSE_FORMAT}: ${issue.path.join('.') || 'file'}: ${issue.message}.`, {
      path: issue.path.join('.'),
    });
  }
  return parsed.data;
}

export type VerifyEd25519 = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/** Parses and checks the signature against the vendor's licence key; throws LICENSE_INVALID or LICENSE_SIGNATURE_INVALID. */
export function verifyLicenseFile(text: string, vendorKey: Uint8Array, verify: VerifyEd25519): License {
  const file = parseLicenseFile(text);
  if (!verify(fromBase64(file.signature), licenseSigningBytes(file.license), vendorKey))
    throw new AppError('LICENSE_SIGNATURE_INVALID', undefined, { serial: file.license.serial });
  return file.license;
}

export function encodeLicenseFile(license: License, signature: Uint8Array): string {
  return `${JSON.stringify({ format: LICENSE_FORMAT, license, signature: toBase64(signature) }, null, 2)}\n`;
}

/** Whether the licence names this headset. */
export function licenseBindsTo(binding: LicenseBinding, headset: { deviceId: string; identityPublicKey?: string }): boolean {
  return binding.kind === 'device' ? binding.deviceId === headset.deviceId : binding.publicKey === headset.identityPublicKey;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Strict: only the one canonical base64 spelling of exactly `bytes` bytes. */
function decodesTo(text: string, bytes: number): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return false;
  try {
    const decoded = fromBase64(text);
    return decoded.length === bytes && toBase64(decoded) === text;
  } catch {
    return false;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
