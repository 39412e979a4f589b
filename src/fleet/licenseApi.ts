import { z } from 'zod';
import { FEATURE_PATTERN } from '../licensing/licenseFile.js';
import { LICENSE_REVOCATIONS_PATH } from '../licensing/revocationList.js';

/**
 * Licences on the fleet server (docs/licensing.md): operators issue a licence to an accepted headset
 * and revoke one; headsets (and anyone: the list is signed and names only serials) fetch the current
 * signed revocation list.
 */
export const LICENSE_API = {
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
