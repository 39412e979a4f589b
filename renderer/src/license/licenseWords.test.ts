import { describe, expect, it } from 'vitest';
import type { LicenseStatus } from '../../../src/api/contract.js';
import { licenseTimeline, licenseWords } from './licenseWords.js';

const base: LicenseStatus = {
  state: 'active',
  daysLeft: 100,
  notYetValid: false,
  licensee: 'Example Clinic',
  serial: 'HC-1',
  features: ['tracks'],
  grantedFeatures: ['tracks'],
  issuedAt: '2026-01-01T00:00:00Z',
  notBefore: '2026-01-01T00:00:00Z',
  expiresAt: '2026-12-27T00:00:00Z',
  graceEndsAt: '2027-01-06T00:00:00.000Z',
  graceDays: 10,
  trustedNow: '2026-07-02T00:00:00.000Z',
  clockBehind: false,
  revocations: { version: null, issuedAt: null, fetchedAt: null, source: 'none' },
};

describe('licence words and timeline', () => {
  it('says each state plainly with the days left', () => {
    expect(licenseWords(base).detail).toBe('Valid for 100 days more.');
    expect(licenseWords({ ...base, state: 'expiringSoon', daysLeft: 1 }).detail).toBe('It ends in 1 day. Ask for a renewal.');
    expect(licenseWords({ ...base, state: 'grace', daysLeft: 3 }).title).toBe('Licence ended: grace period');
    expect(licenseWords({ ...base, state: 'revoked' }).tone).toBe('bad');
    expect(licenseWords({ ...base, state: 'notLicensed', notYetValid: true }).detail).toBe('It starts on 2026-01-01.');
  });

  it('draws valid, the last 30 days and grace in proportion, with the trusted time on it', () => {
    const timeline = licenseTimeline(base)!;
    // 370 days in all: 330 valid, 30 ending soon, 10 grace.
    expect(timeline.segments.map((s) => s.kind)).toEqual(['valid', 'soon', 'grace']);
    expect(timeline.segments[0]!.end).toBeCloseTo(330 / 370, 5);
    expect(timeline.segments[2]!.start).toBeCloseTo(360 / 370, 5);
    expect(timeline.now).toBeCloseTo(182 / 370, 5);
    expect(licenseTimeline({ ...base, trustedNow: '2030-01-01T00:00:00.000Z' })!.now).toBe(1);
    expect(licenseTimeline({ ...base, notBefore: null })).toBeUndefined();
    expect(licenseTimeline({ ...base, graceDays: 0, graceEndsAt: base.expiresAt })!.segments.map((s) => s.kind)).toEqual(['valid', 'soon']);
  });
});
