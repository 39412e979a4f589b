import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test-support/api/errorCodes.js';
import { decide, effectiveGrants, initialConsent, needsDecision, parseConsent, privacyStatusOf, PRIVACY_POLICY_VERSION } from './consent.js';

const now = new Date('2026-11-22T10:00:00Z');

describe('consent', () => {
  it('starts undecided with only essential on', () => {
    const state = initialConsent();
    expect(needsDecision(state)).toBe(true);
    expect(effectiveGrants(state)).toEqual({ essential: true, performance: false, hardware: false, usage: false, errors: false, location: false });
  });

  it('a decision turns categories on and off and reports what changed', () => {
    const first = decide(initialConsent(), { policyVersion: PRIVACY_POLICY_VERSION, granted: { performance: true, errors: true } }, now);
    expect(first.turnedOn).toEqual(['performance', 'errors']);
    expect(first.turnedOff).toEqual([]);
    expect(first.state.decidedAt).toBe(now.toISOString());
    expect(needsDecision(first.state)).toBe(false);
    const second = decide(first.state, { policyVersion: PRIVACY_POLICY_VERSION, granted: { errors: false } }, now);
    expect(second.turnedOff).toEqual(['errors']);
    expect(effectiveGrants(second.state).performance).toBe(true);
    expect(second.optedOutOfAll).toBe(false);
    const third = decide(second.state, { policyVersion: PRIVACY_POLICY_VERSION, granted: { performance: false } }, now);
    expect(third.optedOutOfAll).toBe(true);
  });

  it('refuses turning essential off, and a decision on another policy version, changing nothing', () => {
    const state = initialConsent();
    expect(codeOf(() => decide(state, { policyVersion: PRIVACY_POLICY_VERSION, granted: { essential: false, usage: true } }, now))).toBe(
      'PRIVACY_ESSENTIAL_CATEGORY',
    );
    expect(codeOf(() => decide(state, { policyVersion: PRIVACY_POLICY_VERSION - 1, granted: { usage: true } }, now))).toBe('PRIVACY_POLICY_OUTDATED');
    expect(state).toEqual(initialConsent());
  });

  it('a new policy version asks again and suspends the old grants until then', () => {
    const decided = decide(initialConsent(), { policyVersion: 1, granted: { usage: true } }, now, 1).state;
    expect(effectiveGrants(decided, 1).usage).toBe(true);
    expect(needsDecision(decided, 2)).toBe(true);
    expect(effectiveGrants(decided, 2).usage).toBe(false);
    expect(privacyStatusOf(decided, 2).needsDecision).toBe(true);
    const again = decide(decided, { policyVersion: 2, granted: {} }, now, 2);
    expect(again.turnedOn).toEqual([]);
    expect(effectiveGrants(again.state, 2).usage).toBe(false);
  });

  it('reads stored state leniently: anything odd is undecided', () => {
    expect(parseConsent(null)).toEqual(initialConsent());
    expect(parseConsent({ policyVersion: 'x' })).toEqual(initialConsent());
    expect(parseConsent({ policyVersion: 1, decidedAt: 'd', granted: { usage: 'yes', errors: true, essential: false } }).granted).toMatchObject({
      essential: true,
      usage: false,
      errors: true,
    });
  });

  it('reports categories with their registry examples', () => {
    const status = privacyStatusOf(initialConsent());
    expect(status.categories.find((c) => c.id === 'hardware')?.examples).toContain('gps.time_to_lock');
    expect(status.categories.find((c) => c.id === 'essential')).toMatchObject({ essential: true, granted: true });
  });
});
