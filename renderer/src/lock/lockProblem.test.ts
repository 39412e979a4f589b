import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/api/client.js';
import { ERROR_CATALOGUE } from '../../../src/api/errors.js';
import { lockProblem, waitLeft } from './lockProblem.js';

describe('lockProblem', () => {
  it('says how long a wrong PIN makes the wearer wait', () => {
    const wrong = (retryAfterMs: number) => new ApiError('LOCK_WRONG_PIN', ERROR_CATALOGUE.LOCK_WRONG_PIN, { failures: 3, retryAfterMs });
    expect(lockProblem(wrong(0))).toBe('The PIN is not right. Try again.');
    expect(lockProblem(wrong(30_000))).toBe('The PIN is not right. Try again in 30 s.');
    expect(lockProblem(wrong(240_000))).toBe('The PIN is not right. Try again in 4 min.');
    expect(lockProblem(new ApiError('LOCK_BACKING_OFF', ERROR_CATALOGUE.LOCK_BACKING_OFF, { retryAfterMs: 12_400 }))).toBe(
      'Too many wrong PINs. Try again in 13 s.',
    );
  });

  it("gives the catalogue's words otherwise, and reads a wait only from a number", () => {
    expect(lockProblem(new ApiError('LOCK_FILE_CORRUPT', ERROR_CATALOGUE.LOCK_FILE_CORRUPT))).toBe(ERROR_CATALOGUE.LOCK_FILE_CORRUPT);
    expect(lockProblem(new ApiError('LOCK_WRONG_PIN', 'The PIN is not right.', { retryAfterMs: '30000' }))).toBe('The PIN is not right. Try again.');
    expect(lockProblem(new Error('connection lost'))).toBe('connection lost');
  });

  it('counts down the pushed wait', () => {
    expect(waitLeft(null, 0)).toBe(0);
    expect(waitLeft('2026-01-01T00:00:30.000Z', Date.parse('2026-01-01T00:00:10.000Z'))).toBe(20_000);
    expect(waitLeft('2026-01-01T00:00:30.000Z', Date.parse('2026-01-01T00:01:00.000Z'))).toBe(0);
  });
});
