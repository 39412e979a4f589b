import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIRST_RETRY_MS, nextCheckDelay } from './checkSchedule.js';

const HOUR = 3_600_000;

describe('nextCheckDelay', () => {
  it('spreads healthy checks over ±25 % of the interval', () => {
    expect(nextCheckDelay(6 * HOUR, 0, () => 0)).toBe(4.5 * HOUR);
    expect(nextCheckDelay(6 * HOUR, 0, () => 1)).toBe(7.5 * HOUR);
  });

  it('retries sooner after failures, doubling up to the interval', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((failures) => nextCheckDelay(HOUR, failures, () => 1));
    expect(ceilings.slice(0, 6)).toEqual([1, 2, 4, 8, 16, 32].map((m) => m * FIRST_RETRY_MS));
    expect(ceilings.slice(6)).toEqual([HOUR, HOUR, HOUR, HOUR]);
  });

  it('never waits longer than the interval after a failure, nor less than a second', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: HOUR, max: 168 * HOUR }),
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (interval, failures, r) => {
          const delay = nextCheckDelay(interval, failures, () => r);
          expect(delay).toBeGreaterThanOrEqual(1000);
          expect(delay).toBeLessThanOrEqual(interval);
        },
      ),
    );
  });
});
