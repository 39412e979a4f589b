import type { PrivacyStatus } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { CATEGORY_INFO, OPTIONAL_CATEGORIES, TELEMETRY_CATEGORIES, type TelemetryCategoryId } from './categories.js';
import { metricsOf } from './registry.js';

/**
 * The wearer's telemetry consent.
 *
 *   undecided (nothing but essential) --decide(current policy)--> decided(policy N)
 *   decided(policy N) --the policy becomes N+1--> needs a decision again: the grants made under N are
 *   suspended (only essential collects) until the wearer decides under N+1.
 *
 * `essential` is always granted; a decision that turns it off, or that was made reading an older
 * policy than the current one, is refused and changes nothing.
 */
export const PRIVACY_POLICY_VERSION = 1;

export interface ConsentState {
  /** The policy version the wearer last decided under; 0 = never decided. */
  policyVersion: number;
  decidedAt: string | null;
  /** The optional categories the wearer turned on (essential is implied). */
  granted: Record<TelemetryCategoryId, boolean>;
}

export interface ConsentDecision {
  /** The policy version the wearer was shown. */
  policyVersion: number;
  granted: Partial<Record<TelemetryCategoryId, boolean>>;
}

export function initialConsent(): ConsentState {
  return {
    policyVersion: 0,
    decidedAt: null,
    granted: Object.fromEntries(TELEMETRY_CATEGORIES.map((c) => [c, CATEGORY_INFO[c].essential])) as ConsentState['granted'],
  };
}

export function needsDecision(state: ConsentState, currentPolicy = PRIVACY_POLICY_VERSION): boolean {
  return state.decidedAt === null || state.policyVersion < currentPolicy;
}

/** What collects now: essential always; the rest only when decided under the current policy. */
export function effectiveGrants(state: ConsentState, currentPolicy = PRIVACY_POLICY_VERSION): Record<TelemetryCategoryId, boolean> {
  const current = !needsDecision(state, currentPolicy);
  return Object.fromEntries(TELEMETRY_CATEGORIES.map((c) => [c, CATEGORY_INFO[c].essential || (current && state.granted[c] === true)])) as Record<
    TelemetryCategoryId,
    boolean
  >;
}

export function isGranted(state: ConsentState, category: TelemetryCategoryId, currentPolicy = PRIVACY_POLICY_VERSION): boolean {
  return effectiveGrants(state, currentPolicy)[category];
}

export interface ConsentTransition {
  state: ConsentState;
  /** Categories that collected before and no longer do: purge and request deletion. */
  turnedOff: TelemetryCategoryId[];
  turnedOn: TelemetryCategoryId[];
  /** Every optional category is off now while some was on before: the wearer opted out of everything. */
  optedOutOfAll: boolean;
}

/**
 * Applies a decision. Categories the decision does not name keep what they effectively are (so
 * after a new policy a partial decision leaves the unnamed ones off).
 */
export function decide(state: ConsentState, decision: ConsentDecision, now: Date, currentPolicy = PRIVACY_POLICY_VERSION): ConsentTransition {
  if (decision.policyVersion !== currentPolicy) {
    throw new AppError(
      'PRIVACY_POLICY_OUTDATED',
      `The choice was made on privacy policy version ${decision.policyVersion}; the current version is ${currentPolicy}. Read it and choose again.`,
      { currentPolicyVersion: currentPolicy },
    );
  }
  for (const category of TELEMETRY_CATEGORIES) {
    if (CATEGORY_INFO[category].essential && decision.granted[category] === false) {
      throw new AppError(
        'PRIVACY_ESSENTIAL_CATEGORY',
        `"${CATEGORY_INFO[category].title}" is essential to deliver safe updates and cannot be turned off.`,
        { category },
      );
    }
  }
  const before = effectiveGrants(state, currentPolicy);
  const granted = { ...before };
  for (const category of OPTIONAL_CATEGORIES) {
    const wanted = decision.granted[category];
    if (wanted !== undefined) granted[category] = wanted;
  }
  const next: ConsentState = { policyVersion: currentPolicy, decidedAt: now.toISOString(), granted };
  const turnedOff = OPTIONAL_CATEGORIES.filter((c) => before[c] && !granted[c]);
  const turnedOn = OPTIONAL_CATEGORIES.filter((c) => !before[c] && granted[c]);
  const optedOutOfAll = turnedOff.length > 0 && OPTIONAL_CATEGORIES.every((c) => !granted[c]);
  return { state: next, turnedOff, turnedOn, optedOutOfAll };
}

/** Reads a stored consent leniently: anything unreadable counts as never decided (all optional off). */
export function parseConsent(raw: unknown): ConsentState {
  const fallback = initialConsent();
  if (typeof raw !== 'object' || raw === null) return fallback;
  const r = raw as Partial<ConsentState>;
  if (typeof r.policyVersion !== 'number' || !Number.isInteger(r.policyVersion) || r.policyVersion < 0) return fallback;
  if (r.decidedAt !== null && typeof r.decidedAt !== 'string') return fallback;
  if (typeof r.granted !== 'object' || r.granted === null) return fallback;
  const granted = { ...fallback.granted };
  for (const category of OPTIONAL_CATEGORIES) granted[category] = (r.granted as Record<string, unknown>)[category] === true;
  return { policyVersion: r.policyVersion, decidedAt: r.decidedAt ?? null, granted };
}

/** The consent as the API reports it (privacy.get, privacy.changed). */
export function privacyStatusOf(state: ConsentState, currentPolicy = PRIVACY_POLICY_VERSION): PrivacyStatus {
  const effective = effectiveGrants(state, currentPolicy);
  return {
    policyVersion: currentPolicy,
    decidedAt: state.decidedAt,
    needsDecision: needsDecision(state, currentPolicy),
    categories: TELEMETRY_CATEGORIES.map((id) => ({ id, ...CATEGORY_INFO[id], granted: effective[id], examples: metricsOf(id) })),
  };
}
