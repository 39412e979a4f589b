import { z } from 'zod';
import { AppError } from '../api/errors.js';
import { canonicalJson } from './sanitizationRecord.js';

/**
 * The operator's signed authorization to decommission one headset (docs/reset.md): bound to its
 * device id and to its current identity public key, valid for a short window, signed with the
 * operator's Ed25519 decommissioning key whose public part is `decommission.pub` in the headset's
 * trust folder. The wearer's PIN is not enough: decommissioning erases the identity the fleet knows
 * the headset by, which only the fleet's operator decides. Once used it is spent by what it does:
 * the identity it names is gone.
 */
export const DECOMMISSION_FORMAT = 'hc-decommission-v1';
/** The longest window an authorization may give (an authorization lying around should not stay good). */
export const DECOMMISSION_MAX_VALID_MS = 7 * 24 * 3600 * 1000;

export const decommissionAuthorizationSchema = z
  .object({
    format: z.literal(DECOMMISSION_FORMAT),
    deviceId: z.string().min(1).max(128),
    /** base64 of the headset's 32-byte Ed25519 identity public key. */
    identityKey: z.string().min(1).max(64),
    issuedAt: z.string().datetime({ offset: true }),
    expiresAt: z.string().datetime({ offset: true }),
    /** Why, in the operator's words (kept in the headset's log, not in the record). */
    reason: z.string().max(200).optional(),
  })
  .strict();
export type DecommissionAuthorization = z.infer<typeof decommissionAuthorizationSchema>;

export const signedDecommissionAuthorizationSchema = z
  .object({
    authorization: decommissionAuthorizationSchema,
    /** base64 Ed25519 signature of decommissionSigningBytes(authorization). */
    signature: z.string().max(128),
  })
  .strict();
export type SignedDecommissionAuthorization = z.infer<typeof signedDecommissionAuthorizationSchema>;

export function decommissionSigningBytes(authorization: DecommissionAuthorization): Uint8Array {
  return new TextEncoder().encode(`${DECOMMISSION_FORMAT}\n${canonicalJson(authorization)}`);
}

export interface DecommissionCheck {
  /** The operator's public key (trust folder's decommission.pub). */
  operatorKey: Uint8Array;
  deviceId: string;
  identityKey: string;
  now: Date;
  /** Ed25519 verification (the caller's library). */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

const invalid = (why: string) => new AppError('DECOMMISSION_AUTHORIZATION_INVALID', `The decommissioning authorization ${why}.`, { why });

/** Checks an authorization's text against this headset; throws DECOMMISSION_AUTHORIZATION_INVALID saying why. */
export function checkDecommissionAuthorization(text: string, check: DecommissionCheck): DecommissionAuthorization {
  let signed: SignedDecommissionAuthorization;
  try {
    signed = signedDecommissionAuthorizationSchema.parse(JSON.parse(text));
  } catch {
    throw invalid(`is not an ${DECOMMISSION_FORMAT} file`);
  }
  const { authorization } = signed;
  const signature = base64Bytes(signed.signature);
  if (signature?.length !== 64 || !check.verify(signature, decommissionSigningBytes(authorization), check.operatorKey))
    throw invalid("is not signed by this headset's operator key");
  if (authorization.deviceId !== check.deviceId || authorization.identityKey !== check.identityKey) throw invalid('names another headset');
  const issued = Date.parse(authorization.issuedAt);
  const expires = Date.parse(authorization.expiresAt);
  if (expires <= issued || expires - issued > DECOMMISSION_MAX_VALID_MS) throw invalid('has a validity window this headset does not accept');
  if (check.now.getTime() < issued - 5 * 60_000) throw invalid('is not valid yet');
  if (check.now.getTime() >= expires) throw invalid('has expired');
  return authorization;
}

function base64Bytes(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
