import type { LicenseStatus } from '../../../src/api/contract.js';

const DAY_MS = 86_400_000;
const days = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;

/** The licence's state in plain words: a headline and one sentence. */
export function licenseWords(status: LicenseStatus): { title: string; detail: string; tone: 'ok' | 'warn' | 'bad' } {
  const left = status.daysLeft ?? 0;
  switch (status.state) {
    case 'active':
      return { title: 'Licensed', detail: `Valid for ${days(left)} more.`, tone: 'ok' };
    case 'expiringSoon':
      return { title: 'Licence ends soon', detail: `It ends in ${days(left)}. Ask for a renewal.`, tone: 'warn' };
    case 'grace':
      return {
        title: 'Licence ended: grace period',
        detail: `Everything still works for ${days(left)}. Install a renewed licence before then.`,
        tone: 'warn',
      };
    case 'expired':
      return { title: 'Licence expired', detail: 'Licensed features are off. Install a renewed licence.', tone: 'bad' };
    case 'revoked':
      return { title: 'Licence revoked', detail: 'The licence was withdrawn. Licensed features are off.', tone: 'bad' };
    case 'notLicensed':
      return status.notYetValid
        ? { title: 'Licence not valid yet', detail: `It starts on ${status.notBefore?.slice(0, 10)}.`, tone: 'warn' }
        : { title: 'Not licensed', detail: 'Install a licence file from a USB stick.', tone: 'bad' };
  }
}

/** A segment of the licence's timeline, as fractions (0..1) of its whole span. */
export interface TimelineSegment {
  kind: 'valid' | 'soon' | 'grace';
  start: number;
  end: number;
}

/**
 * The picture of the days left: the span from not-before to the end of grace, in segments (valid,
 * the last 30 days before expiry, grace), and where the trusted time is on it (clamped to the span).
 */
export function licenseTimeline(status: LicenseStatus): { segments: TimelineSegment[]; now: number } | undefined {
  if (!status.notBefore || !status.expiresAt || !status.graceEndsAt) return undefined;
  const from = Date.parse(status.notBefore);
  const expires = Date.parse(status.expiresAt);
  const to = Math.max(Date.parse(status.graceEndsAt), expires);
  const span = to - from;
  if (!(span > 0)) return undefined;
  const at = (ms: number) => Math.min(1, Math.max(0, (ms - from) / span));
  const soon = Math.max(from, expires - 30 * DAY_MS);
  const segments: TimelineSegment[] = [
    { kind: 'valid' as const, start: 0, end: at(soon) },
    { kind: 'soon' as const, start: at(soon), end: at(expires) },
    { kind: 'grace' as const, start: at(expires), end: 1 },
  ].filter((s) => s.end > s.start);
  return { segments, now: at(Date.parse(status.trustedNow)) };
}
