import { randomUUID } from 'node:crypto';
import { AppError } from '../../../src/api/errors.js';
import { type License, encodeLicenseFile, licenseSchema, licenseSigningBytes } from '../../../src/licensing/licenseFile.js';
import { type RevocationList, encodeRevocationList, revocationListSchema, revocationSigningBytes } from '../../../src/licensing/revocationList.js';
import type { SigningKey } from '../keys/signingKeys.js';

/**
 * The vendor's side of licences (docs/licensing.md): signing a licence file and a revocation list with
 * the licence key. Used by `headsetctl license issue` and the fleet server; never by the headset.
 */
export interface LicenseRequest {
  licensee: string;
  binding: License['binding'];
  features: readonly string[];
  notBefore: Date;
  expiresAt: Date;
  graceDays: number;
  issuedAt?: Date;
  serial?: string;
}

/** UTC to the second, the only spelling the format accepts. */
export const utcSeconds = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

/** Builds the licence (features sorted, times to the second) and checks it against the format; LICENSE_INVALID otherwise. */
export function licenseOf(request: LicenseRequest): License {
  const candidate = {
    serial: request.serial ?? `HC-${randomUUID()}`,
    licensee: request.licensee,
    binding: request.binding,
    features: [...new Set(request.features)].sort(),
    issuedAt: utcSeconds(request.issuedAt ?? new Date()),
    notBefore: utcSeconds(request.notBefore),
    expiresAt: utcSeconds(request.expiresAt),
    graceDays: request.graceDays,
  };
  const parsed = licenseSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('LICENSE_INVALID', `${issue.path.join('.') || 'licence'}: ${issue.message}.`, { path: issue.path.join('.') });
  }
  return parsed.data;
}

export function signLicense(key: SigningKey, license: License): string {
  return encodeLicenseFile(license, key.sign(licenseSigningBytes(license)));
}

export function signRevocationList(key: SigningKey, list: RevocationList): string {
  const checked = revocationListSchema.parse({ ...list, serials: [...new Set(list.serials)].sort() });
  return encodeRevocationList(checked, key.sign(revocationSigningBytes(checked)));
}
