import type { Clock } from '../clock.js';
import type { Queryable } from '../db/Database.js';
import type { ThrottleRule } from './throttleLimits.js';

/**
 * Counters kept in the database, so every server process counts against the same limit (the
 * processes stay stateless). Each event is counted first, by one atomic upsert that returns the new
 * count, and only then allowed or refused: two processes racing cannot both take the last place.
 * Fixed windows: a burst may straddle two of them (at most twice the limit in one window's length).
 */

export interface Counted {
  rule: ThrottleRule;
  key: string;
  windowStart: Date;
  count: number;
}

export interface ThrottleVerdict {
  allowed: boolean;
  /** Seconds until the tightest refusing window ends (0 when allowed). */
  retryAfterSeconds: number;
  counted: Counted[];
}

/** Counts one event against each rule's counter for its key; allowed when none is past its limit. */
export async function countEvent(db: Queryable, clock: Clock, checks: { rule: ThrottleRule; key: string }[]): Promise<ThrottleVerdict> {
  const now = clock.now().getTime();
  const counted: Counted[] = [];
  let retryAfterMs = 0;
  for (const { rule, key } of checks) {
    const windowStart = new Date(now - (now % rule.windowMs));
    const windowEnd = windowStart.getTime() + rule.windowMs;
    const count = (
      await db.query<{ count: number }>(
        `INSERT INTO throttle_counters (bucket, window_start, count, expires_at) VALUES ($1, $2, 1, $3)
         ON CONFLICT (bucket, window_start) DO UPDATE SET count = throttle_counters.count + 1
         RETURNING count`,
        [bucket(rule, key), windowStart, new Date(windowEnd)],
      )
    ).rows[0]!.count;
    counted.push({ rule, key, windowStart, count });
    if (count > rule.limit) retryAfterMs = Math.max(retryAfterMs, windowEnd - now);
  }
  return { allowed: retryAfterMs === 0, retryAfterSeconds: Math.ceil(retryAfterMs / 1000), counted };
}

/** Takes back what countEvent counted (a login that succeeded, an attempt that was refused anyway). */
export async function uncount(db: Queryable, counted: readonly Counted[]): Promise<void> {
  for (const { rule, key, windowStart } of counted) {
    await db.query('UPDATE throttle_counters SET count = count - 1 WHERE bucket = $1 AND window_start = $2 AND count > 0', [
      bucket(rule, key),
      windowStart,
    ]);
  }
}

// Keys are bounded by the routes' schemas (a user name of 64 characters, an address, a UUID).
const bucket = (rule: ThrottleRule, key: string) => `${rule.name}:${key.slice(0, 128)}`;
