import { z } from 'zod';
import { FEATURE_PATTERN, MAX_LICENSE_FILE_BYTES } from '../../licensing/licenseFile.js';
import { LICENSE_STATES } from '../../licensing/licenseState.js';
import { call, event, noInput } from './common.js';

/**
 * Licensing (seed 002 §11.5, docs/licensing.md): a licence file signed by the vendor, verified on the
 * headset without a network; a signed revocation list fetched when online; a trusted time that never
 * goes back (so setting the clock back never extends a licence). Features gate what they name.
 */

export const licenseStatusSchema = z.object({
  state: z.enum(LICENSE_STATES),
  /** Whole days until expiry (active, expiring soon) or until the grace window ends (grace). */
  daysLeft: z.number().int().nullable(),
  /** Installed but its not-before is still ahead. */
  notYetValid: z.boolean(),
  licensee: z.string().nullable(),
  serial: z.string().nullable(),
  /** What the licence names; `grantedFeatures` is what it grants now. */
  features: z.array(z.string()),
  grantedFeatures: z.array(z.string()),
  issuedAt: z.string().nullable(),
  notBefore: z.string().nullable(),
  expiresAt: z.string().nullable(),
  graceEndsAt: z.string().nullable(),
  graceDays: z.number().int().nullable(),
  /** The trusted time the state was computed at (ISO 8601): never earlier than the high-water mark. */
  trustedNow: z.string(),
  /** The system clock is behind the high-water mark of trusted times (it was set back). */
  clockBehind: z.boolean(),
  revocations: z.object({
    /** The cached list's version; null before the first list. */
    version: z.number().int().nullable(),
    issuedAt: z.string().nullable(),
    /** When the headset last fetched one (ISO 8601). */
    fetchedAt: z.string().nullable(),
    /** Where it is fetched from: `fleet`, a configured URL, or nowhere. */
    source: z.enum(['fleet', 'url', 'none']),
  }),
});
export type LicenseStatus = z.infer<typeof licenseStatusSchema>;

export const featureDecisionSchema = z.object({ feature: z.string(), allowed: z.boolean(), reason: z.string().nullable() });
export type FeatureDecision = z.infer<typeof featureDecisionSchema>;

export const licenseCalls = {
  'license.status': call({
    summary: "The licence's state (active, expiring soon, grace, expired, revoked, not licensed), days left and features.",
    scope: 'status',
    input: noInput,
    output: licenseStatusSchema,
    errors: [],
  }),
  'license.feature': call({
    summary: 'Whether a feature is allowed now, and in plain words why not.',
    scope: 'status',
    input: z.object({ feature: z.string().regex(FEATURE_PATTERN).max(64) }).strict(),
    output: featureDecisionSchema,
    errors: [],
  }),
  'license.install': call({
    summary: "Install a licence file's text after verifying it offline (signature, binding, expiry, revocation).",
    scope: 'user',
    input: z.object({ text: z.string().max(MAX_LICENSE_FILE_BYTES) }).strict(),
    output: licenseStatusSchema,
    errors: ['LICENSE_INVALID', 'LICENSE_SIGNATURE_INVALID', 'LICENSE_OTHER_HEADSET', 'LICENSE_EXPIRED', 'LICENSE_REVOKED', 'LICENSE_KEY_MISSING'],
  }),
  'license.installFromUsb': call({
    summary: 'Install the one licence file (*.hclicense) at the top of the USB stick.',
    scope: 'user',
    input: noInput,
    output: licenseStatusSchema,
    errors: [
      'LICENSE_NOT_FOUND',
      'LICENSE_INVALID',
      'LICENSE_SIGNATURE_INVALID',
      'LICENSE_OTHER_HEADSET',
      'LICENSE_EXPIRED',
      'LICENSE_REVOKED',
      'LICENSE_KEY_MISSING',
    ],
  }),
  'license.refreshRevocations': call({
    summary: 'Fetch the signed revocation list now (from the fleet server or the configured URL); a list older than the cached one is refused.',
    scope: 'user',
    input: noInput,
    output: licenseStatusSchema,
    errors: ['LICENSE_REVOCATIONS_UNAVAILABLE', 'LICENSE_REVOCATIONS_INVALID', 'LICENSE_REVOCATIONS_OLDER', 'LICENSE_KEY_MISSING'],
  }),
} as const;

export const licenseEvents = {
  'license.changed': event({
    summary: "The licence's state changed (installed, a day passed, revoked, ...).",
    scope: 'status',
    payload: licenseStatusSchema,
  }),
} as const;
