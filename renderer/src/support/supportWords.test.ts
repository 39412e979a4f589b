import { describe, expect, it } from 'vitest';
import type { SupportStatus } from '../../../src/api/contract.js';
import { durationWords, endWords, stateWords, timeLeftWords } from './supportWords.js';

const session: NonNullable<SupportStatus['session']> = {
  id: 'a',
  startedBy: 'settings',
  reason: null,
  who: 'Acme support',
  viewers: [],
  since: '2026-01-01T10:00:00Z',
  durationMinutes: 60,
  endsInMs: 3_600_000,
  idleEndsInMs: 900_000,
  relay: 'r:22',
  relayPort: 1,
  reads: 0,
  attempt: 0,
  retryInMs: null,
  problem: null,
};
const status = (state: SupportStatus['state'], extra: Partial<typeof session> = {}): SupportStatus => ({
  state,
  configured: true,
  switchOn: false,
  session: { ...session, ...extra },
  lastEnded: null,
});

describe('support in words', () => {
  it('time left, rounded up', () => {
    expect(timeLeftWords(40_000)).toBe('40 seconds');
    expect(timeLeftWords(1000)).toBe('1 second');
    expect(timeLeftWords(60_001)).toBe('2 minutes');
    expect(timeLeftWords(3_240_000)).toBe('54 minutes');
    expect(timeLeftWords(3_900_000)).toBe('1 hour 5 minutes');
    expect(durationWords(24 * 60)).toBe('24 hours');
    expect(durationWords(60)).toBe('1 hour');
    expect(timeLeftWords(-5)).toBe('0 seconds');
  });

  it('says who and what is going on', () => {
    expect(stateWords(status('active'), null)).toBe("Acme support can read this headset's logs and settings.");
    expect(stateWords(status('connecting'), null)).toBe('Connecting to Acme support…');
    expect(stateWords(status('reconnecting'), 8000)).toBe('Connection to Acme support lost. Trying again in 8 seconds.');
    expect(endWords('timer')).toBe('Its time ran out.');
  });
});
