import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './tokenBucket.js';

/** Drives the bucket with a simulated clock; returns the time all chunks took. */
function transfer(rate: number, capacity: number, chunks: number[]): number {
  let now = 0;
  const bucket = new TokenBucket(rate, capacity, now);
  for (const chunk of chunks) {
    for (let wait = bucket.take(chunk, now); wait > 0; wait = bucket.take(chunk, now)) now += wait;
  }
  return now;
}

describe('TokenBucket', () => {
  it('holds a long transfer to its rate (after the first burst)', () => {
    const rate = 1024 * 1024;
    const chunks = Array<number>(1000).fill(64 * 1024); // 62.5 MiB
    const seconds = transfer(rate, 256 * 1024, chunks) / 1000;
    const achieved = (64 * 1024 * 1000 - 256 * 1024) / seconds;
    expect(achieved / rate).toBeGreaterThan(0.99);
    expect(achieved / rate).toBeLessThan(1.01);
  });

  it('never lets the average exceed the rate plus one burst, whatever the chunk sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 10_000_000 }),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 200 }),
        (rate, chunks) => {
          const capacity = Math.max(1, Math.floor(rate / 4));
          const ms = transfer(rate, capacity, chunks);
          const total = chunks.reduce((a, b) => a + b, 0);
          // Bytes sent by time t never exceed capacity + rate·t, except the last oversized chunk it let through.
          expect(total).toBeLessThanOrEqual(capacity + (rate * ms) / 1000 + Math.max(...chunks) + 1);
        },
      ),
    );
  });

  it('is unlimited at an infinite rate, and a new rate applies at once', () => {
    const bucket = new TokenBucket(Infinity, 1, 0);
    expect(bucket.take(1e12, 0)).toBe(0);
    bucket.setRate(1000, 0);
    expect(bucket.take(10_000, 0)).toBe(0); // the burst it had
    expect(bucket.take(10_000, 0)).toBeGreaterThan(0);
  });
});
