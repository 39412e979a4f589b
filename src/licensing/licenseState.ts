import type { License } from './licenseFile.js';

/**
 * A licence's state at a trusted time (docs/licensing.md). Pure: the service supplies the trusted
 * time (never earlier than the clock's high-water mark), so setting the clock back cannot extend it.
 */
export const LICENSE_STATES = ['active', 'expiringSoon', 'grace', 'expired', 'revoked', 'notLicensed'] as const;
export type LicenseStateName = (typeof LICENSE_STATES)[number];

/** From this many days before expiry the licence is "expiring soon". */
export const EXPIRING_SOON_DAYS = 30;
const DAY_MS = 86_400_000;

export interface LicenseEvaluation {
  state: LicenseStateName;
  /** Whole days left until the next change for the worse (expiry, then the end of grace); null when none. */
  daysLeft: number | null;
  /** Why not licensed, when a licence is installed but not yet valid. */
  notYetValid: boolean;
  /** The features the licence grants now (none unless active, expiring soon or in grace). */
  grantedFeatures: string[];
}

export function evaluateLicense(license: License | undefined, trustedNowMs: number, revokedSerials: ReadonlySet<string>): LicenseEvaluation {
  if (!license) return { state: 'notLicensed', daysLeft: null, notYetValid: false, grantedFeatures: [] };
  if (revokedSerials.has(license.serial)) return { state: 'revoked', daysLeft: null, notYetValid: false, grantedFeatures: [] };
  const notBefore = Date.parse(license.notBefore);
  const expires = Date.parse(license.expiresAt);
  const graceEnds = expires + license.graceDays * DAY_MS;
  if (trustedNowMs < notBefore) return { state: 'notLicensed', daysLeft: null, notYetValid: true, grantedFeatures: [] };
  const daysUntil = (ms: number) => Math.max(0, Math.ceil((ms - trustedNowMs) / DAY_MS));
  if (trustedNowMs < expires) {
    const state = expires - trustedNowMs <= EXPIRING_SOON_DAYS * DAY_MS ? 'expiringSoon' : 'active';
    return { state, daysLeft: daysUntil(expires), notYetValid: false, grantedFeatures: [...license.features] };
  }
  if (trustedNowMs < graceEnds) return { state: 'grace', daysLeft: daysUntil(graceEnds), notYetValid: false, grantedFeatures: [...license.features] };
  return { state: 'expired', daysLeft: 0, notYetValid: false, grantedFeatures: [] };
}

/** Whether a feature is allowed, and in plain words why not. */
export function featureDecision(evaluation: LicenseEvaluation, feature: string): { allowed: boolean; reason: string | null } {
  if (evaluation.grantedFeatures.includes(feature)) return { allowed: true, reason: null };
  switch (evaluation.state) {
    case 'notLicensed':
      return { allowed: false, reason: evaluation.notYetValid ? 'The licence is not valid yet.' : 'This headset has no licence.' };
    case 'revoked':
      return { allowed: false, reason: 'The licence was revoked.' };
    case 'expired':
      return { allowed: false, reason: 'The licence has expired and its grace period is over.' };
    default:
      return { allowed: false, reason: `The licence does not include "${feature}".` };
  }
}
