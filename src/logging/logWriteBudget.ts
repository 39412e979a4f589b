import { AppError } from '../api/errors.js';
import { TokenBucket } from '../update/tokenBucket.js';

export interface LogWriteBudgetOptions {
  /** Entries a connection may write at once after a quiet spell. */
  burst?: number;
  /** Entries per second a connection may write on average. */
  perSecond?: number;
  /** Connections remembered; the least recently seen is forgotten beyond this. */
  maxConnections?: number;
}

/**
 * How many log entries each API connection may write (`logs.write`): a token bucket per connection,
 * so a renderer caught in a logging loop cannot flood the device log while others keep logging.
 * A batch is admitted whole or refused whole. Pure: the caller passes the time.
 */
export class LogWriteBudget {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly burst: number;
  private readonly perSecond: number;
  private readonly maxConnections: number;

  constructor(options: LogWriteBudgetOptions = {}) {
    this.burst = options.burst ?? 200;
    this.perSecond = options.perSecond ?? 50;
    this.maxConnections = options.maxConnections ?? 256;
  }

  /** Takes `entries` from the connection's budget, or throws LOGS_RATE_LIMITED (nothing taken). */
  admit(connection: string, entries: number, now: number): void {
    let bucket = this.buckets.get(connection);
    if (bucket)
      this.buckets.delete(connection); // re-inserted below: the map keeps recency order
    else bucket = new TokenBucket(this.perSecond, this.burst, now);
    this.buckets.set(connection, bucket);
    if (this.buckets.size > this.maxConnections) this.buckets.delete(this.buckets.keys().next().value!);
    const waitMs = bucket.take(entries, now);
    if (waitMs > 0) {
      throw new AppError(
        'LOGS_RATE_LIMITED',
        `This connection may write ${this.perSecond} log entries a second (bursts of ${this.burst}); retry in ${waitMs} ms.`,
        { retryAfterMs: waitMs },
      );
    }
  }
}
