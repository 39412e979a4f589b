import { describe, expect, it } from 'vitest';
import { backoffDelay, decideRetry, parseRetryAfter, type BackoffOptions } from './retryPolicy.js';

const options: BackoffOptions = { baseMs: 100, maxMs: 10_000, maxRetryAfterMs: 60_000 };
const now = Date.parse('2026-11-22T10:00:00Z');

describe('retry policy', () => {
  it('retries only 429, 502, 503, 504 and network errors', () => {
    for (const status of [429, 502, 503, 504]) expect(decideRetry({ kind: 'http', status }, 0, options, now, () => 0.5).action).toBe('retry');
    expect(decideRetry({ kind: 'network', error: 'ECONNRESET' }, 0, options, now).action).toBe('retry');
    for (const status of [400, 401, 403, 404, 500, 501]) expect(decideRetry({ kind: 'http', status }, 0, options, now).action).toBe('drop');
  });

  it('splits on 413, never retries a partial success, and takes a clean success', () => {
    expect(decideRetry({ kind: 'http', status: 413 }, 3, options, now)).toEqual({ action: 'split' });
    expect(decideRetry({ kind: 'accepted', rejected: 2, errorMessage: 'old' }, 0, options, now)).toEqual({
      action: 'done-partial',
      rejected: 2,
      reason: 'old',
    });
    expect(decideRetry({ kind: 'accepted', rejected: 0 }, 0, options, now)).toEqual({ action: 'done' });
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(0, options, () => 0.999)).toBe(99);
    expect(backoffDelay(3, options, () => 0.5)).toBe(400);
    expect(backoffDelay(40, options, () => 0.999)).toBe(9990);
    expect(backoffDelay(5, options, () => 0)).toBe(0);
  });

  it('honours Retry-After in seconds or as an HTTP date, within a ceiling', () => {
    expect(decideRetry({ kind: 'http', status: 429, retryAfter: '7' }, 0, options, now)).toMatchObject({ action: 'retry', delayMs: 7000 });
    expect(decideRetry({ kind: 'http', status: 503, retryAfter: 'Sun, 22 Nov 2026 10:00:30 GMT' }, 0, options, now)).toMatchObject({
      delayMs: 30_000,
    });
    expect(decideRetry({ kind: 'http', status: 503, retryAfter: '86400' }, 0, options, now)).toMatchObject({ delayMs: 60_000 });
    // A date in the past (our clock jumped ahead): go again after the base delay, not at once.
    expect(decideRetry({ kind: 'http', status: 503, retryAfter: 'Sun, 22 Nov 2026 09:00:00 GMT' }, 0, options, now)).toMatchObject({ delayMs: 100 });
    // Unreadable: back off as if there were none.
    expect(decideRetry({ kind: 'http', status: 503, retryAfter: 'soon' }, 2, options, now, () => 0.5)).toMatchObject({ delayMs: 200 });
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter(' 12 ', now)).toBe(12_000);
  });

  it('never answers Retry-After: 0 with a busy loop: at least the base delay', () => {
    for (const retryAfter of ['0', ' 0 ', 'Sun, 22 Nov 2026 10:00:00 GMT']) {
      expect(decideRetry({ kind: 'http', status: 429, retryAfter }, 5, options, now)).toMatchObject({ action: 'retry', delayMs: options.baseMs });
    }
  });

  it('retries an unreadable 2xx answer: the acknowledgement is unknown', () => {
    expect(decideRetry({ kind: 'bad-response', status: 200, detail: '<html>' }, 0, options, now).action).toBe('retry');
  });
});
