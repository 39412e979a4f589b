import { describe, expect, it } from 'vitest';
import { apiCalls } from '../../../src/api/contract.js';
import { rollbackProblemText } from './rollbackProblems.js';

describe('what the wearer reads when going back to a kept version fails', () => {
  it('has its own words for every error update.rollback declares', () => {
    const generic = rollbackProblemText({ code: 'SOMETHING_ELSE', message: 'x' }, '1.1.0');
    for (const code of apiCalls['update.rollback'].errors) {
      const text = rollbackProblemText({ code, message: 'x' }, '1.1.0');
      expect(text, code).not.toBe(generic);
      expect(text, code).not.toContain(code);
    }
  });

  it('says a revoked version is refused and that nothing changed', () => {
    expect(rollbackProblemText({ code: 'UPDATE_ROLLBACK_NOT_ALLOWED', message: 'x' }, '1.2.0')).toBe(
      'The update server no longer offers 1.2.0 (the maker withdrew it), so the headset will not go back to it. Nothing was changed.',
    );
  });
});

describe('an error without words of its own', () => {
  it('keeps the service message, so the wearer still learns what happened', () => {
    expect(rollbackProblemText({ code: 'SOMETHING_ELSE', message: 'The disk is on fire.' }, '1.1.0')).toBe(
      'Going back to 1.1.0 failed: The disk is on fire.',
    );
  });
});
