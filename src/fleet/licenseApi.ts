import { z } from 'zod';
import { FEATURE_PATTERN } from '../licensing/licenseFile.js';
import { LICENSE_REVOCATIONS_PATH } from '../licensing/revocationList.js';

/**
 * Licences on the fleet server (docs/licensing.md): operators issue a licence to an accepted headset
 * and revoke one; headsets (and anyone: the list is signed and names only serials) fetch the current
 * signed revocation list.
 */
export const LICENSE_API = {
  /** GET (viewer): every licence issued, newest first, with its state now. */
  list: '/api/v1/licenses',
  /** POST (support): issue a licence to the headset; answers the signed file. */
  issue: (deviceId: string) => `/api/v1/devices/${deviceId}/licenses`,
  /** POST (support): revoke a licence; a new list version is signed at once. */
  revoke: (serial: string) => `/api/v1/licenses/${serial}/revoke`,
  /** GET, unauthenticated: the current signed revocation list (hc-revocations-v1). */
  revocations: LICENSE_REVOCATIONS_PATH,
} as const;

export const licenseIssueRequestSchema = z
  .object({
    licensee: z.string().min(1).max(200),
    features: z.array(z.string().regex(FEATURE_PATTERN).max(64)).max(64),
    /** ISO 8601; defaults to now. */
    notBefore: z.string().datetime().optional(),
    expiresAt: z.string().datetime(),
    graceDays: z.number().int().min(0).max(365),
    /** What the licence binds to: the device id (default) or the identity key the server registered. */
    binding: z.enum(['device', 'identityKey']).default('device'),
  })
  .strict();
export type LicenseIssueRequest = z.infer<typeof licenseIssueRequestSchema>;

export const issuedLicenseSchema = z.object({ serial: z.string(), file: z.string() });
export const revokedLicenseSchema = z.object({ serial: z.string(), revocationListVersion: z.number().int() });

/** A licence's state on the server's clock: the headset's own states, with "not yet valid" and no "not licensed". */
export const ISSUED_LICENSE_STATES = ['active', 'expiringSoon', 'grace', 'expired', 'revoked', 'notYetValid'] as const;
export type IssuedLicenseState = (typeof ISSUED_LICENSE_STATES)[number];

export const issuedLicenseSummarySchema = z.object({
  serial: z.string(),
  deviceId: z.string(),
  licensee: z.string(),
  /** What the licence binds to: the headset's device id or its registered identity key. */
  binding: z.enum(['device', 'identityKey']),
  features: z.array(z.string()),
  issuedAt: z.string(),
  issuedBy: z.string(),
  notBefore: z.string(),
  expiresAt: z.string(),
  graceDays: z.number().int(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  state: z.enum(ISSUED_LICENSE_STATES),
  /** Whole days until expiry (active, expiring soon) or the end of grace (grace); null otherwise. */
  daysLeft: z.number().int().nullable(),
  /** The signed file as issued (hc-license-v1), to hand to the wearer again. */
  file: z.string(),
});
export type IssuedLicenseSummary = z.infer<typeof issuedLicenseSummarySchema>;

/** At most this many licences in one list (the newest); `truncated` says when there were more. */
export const LICENSE_LIST_LIMIT = 500;
export const issuedLicenseListSchema = z.object({ licenses: z.array(issuedLicenseSummarySchema), truncated: z.boolean() });
export type IssuedLicenseList = z.infer<typeof issuedLicenseListSchema>;
