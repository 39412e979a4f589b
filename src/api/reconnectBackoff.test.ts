import { describe, expect, it } from 'vitest';
import { ReconnectBackoff, UI_RECONNECT_BACKOFF } from './reconnectBackoff.js';

const options = { baseMs: 100, maxMs: 1600, jitter: 0.5 };

describe('ReconnectBackoff', () => {
  it('doubles the longest wait from the base up to the cap', () => {
    const backoff = new ReconnectBackoff(options, () => 0);
    expect(Array.from({ length: 8 }, () => backoff.next())).toEqual([100, 200, 400, 800, 1600, 1600, 1600, 1600]);
    expect(backoff.attempts).toBe(8);
  });

  it('jitter only shortens a wait: every wait lies in (ceiling·(1 − jitter), ceiling]', () => {
    for (const random of [0, 0.25, 0.5, 0.999_999]) {
      const backoff = new ReconnectBackoff(options, () => random);
      for (let i = 0; i < 12; i++) {
        const ceiling = backoff.ceiling();
        const wait = backoff.next();
        expect(wait).toBeLessThanOrEqual(ceiling);
        expect(wait).toBeGreaterThanOrEqual(Math.round(ceiling * (1 - options.jitter)));
      }
    }
    // The two ends, exactly: random 0 waits the whole ceiling, random near 1 about half of it.
    expect(new ReconnectBackoff(options, () => 0).next()).toBe(100);
    expect(new ReconnectBackoff(options, () => 0.999_999).next()).toBe(50);
  });

  it('never busy-loops and never overflows: at least 1 ms with full jitter, at most the cap after any outage', () => {
    const full = new ReconnectBackoff({ baseMs: 1, maxMs: 1, jitter: 1 }, () => 0.999_999);
    expect(full.next()).toBe(1);
    const long = new ReconnectBackoff(options, () => 0);
    for (let i = 0; i < 5000; i++) long.next();
    expect(long.next()).toBe(options.maxMs);
  });

  it('starts over after reset (a success, or Retry)', () => {
    const backoff = new ReconnectBackoff(options, () => 0);
    for (let i = 0; i < 6; i++) backoff.next();
    expect(backoff.ceiling()).toBe(1600);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(100);
  });

  it('spreads real random waits over the jitter range (windows do not knock at once)', () => {
    const waits = new Set<number>();
    for (let i = 0; i < 50; i++) waits.add(new ReconnectBackoff(UI_RECONNECT_BACKOFF).next());
    expect(waits.size).toBeGreaterThan(10);
    for (const wait of waits) expect(wait).toBeGreaterThan(UI_RECONNECT_BACKOFF.baseMs * 0.5 - 1);
  });

  it('refuses options that would loop or never wait', () => {
    expect(() => new ReconnectBackoff({ baseMs: 0, maxMs: 10, jitter: 0 })).toThrow(RangeError);
    expect(() => new ReconnectBackoff({ baseMs: 10, maxMs: 5, jitter: 0 })).toThrow(/baseMs <= maxMs/);
    expect(() => new ReconnectBackoff({ baseMs: 10, maxMs: 50, jitter: 1.5 })).toThrow(/jitter/);
    expect(() => new ReconnectBackoff({ baseMs: Number.NaN, maxMs: 50, jitter: 0 })).toThrow(RangeError);
  });
});
