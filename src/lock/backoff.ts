/**
 * How long a wrong PIN makes the next attempt wait: the first two wrong PINs (a typo) cost
 * nothing, then the wait doubles from 30 seconds up to an hour. A 4-digit PIN then takes over a
 * year to guess; the wearer who mistypes twice never waits.
 */
export const FREE_FAILURES = 2;
export const FIRST_WAIT_MS = 30_000;
export const MAX_WAIT_MS = 60 * 60_000;

/** The wait after `failures` wrong PINs in a row. */
export function waitAfter(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  return Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(failures - FREE_FAILURES - 1, 30));
}

/** The wrong PINs in a row, and when the next attempt may come (wall clock, ms since the epoch). */
export interface Attempts {
  failures: number;
  waitUntil: number;
}

export const NO_FAILURES: Attempts = { failures: 0, waitUntil: 0 };

/**
 * What is left of the wait at `now`. Never more than the full wait of the failures so far: a clock
 * set back (by hand, or a battery-less RTC after a restart) cannot lengthen it.
 */
export function remainingWait(attempts: Attempts, now: number): number {
  return Math.max(0, Math.min(attempts.waitUntil - now, waitAfter(attempts.failures)));
}

/** The attempts once one more PIN was wrong at `now`. */
export function afterFailure(attempts: Attempts, now: number): Attempts {
  const failures = attempts.failures + 1;
  return { failures, waitUntil: now + waitAfter(failures) };
}
