import { describe, expect, it } from 'vitest';
import { networkCalls } from '../../../src/api/contract/network.js';
import { auditActionWords, networkProblemWords, signalWords } from './networkWords.js';

describe('network words', () => {
  it('says every error a network call can answer in its own plain words, never the code', () => {
    const codes = new Set(Object.values(networkCalls).flatMap((c) => [...c.errors]));
    const fallback = networkProblemWords(undefined);
    for (const code of codes) {
      const words = networkProblemWords(code);
      expect(words, code).not.toBe(fallback);
      expect(words, code).not.toContain('NETWORK_');
    }
    expect(networkProblemWords('NETWORK_WRONG_PASSWORD')).toMatch(/^Wrong password/);
  });

  it('puts bars into words for a screen reader', () => {
    expect(signalWords(4)).toBe('Excellent signal, 4 of 4 bars');
    expect(signalWords(0)).toBe('Very weak signal, 0 of 4 bars');
  });

  it('says what a change was', () => {
    const entry = { time: '', who: 'ui', ssid: 'Home', result: 'ok', code: null } as const;
    expect(auditActionWords({ ...entry, action: 'connect', detail: 'hidden support' })).toBe('Join “Home” (hidden) as support network');
    expect(auditActionWords({ ...entry, action: 'set-support', detail: 'support off' })).toBe('Unmark “Home” as support network');
    expect(auditActionWords({ ...entry, action: 'mode', ssid: null, detail: 'hotspot' })).toBe('Start in hotspot mode');
  });
});
