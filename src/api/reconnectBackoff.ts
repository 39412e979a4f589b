/**
 * How long to wait before the next attempt to reach headsetd again: exponential from `baseMs`,
 * capped at `maxMs`, with part of each wait left to chance so that windows (and the launcher)
 * do not all knock at the same instant after a restart. The jitter only shortens a wait:
 * with `jitter` 0.5 a wait lies in (ceiling / 2, ceiling], never 0 (no busy loop) and never above
 * the cap.
 */
export interface ReconnectBackoffOptions {
  baseMs: number;
  maxMs: number;
  /** The share of each wait left to chance, 0 (none) to 1 (full jitter). */
  jitter: number;
}

/** For a window on the headset: quick first tries (headsetd restarts in about a second), then at most every 10 s. */
export const UI_RECONNECT_BACKOFF: ReconnectBackoffOptions = { baseMs: 500, maxMs: 10_000, jitter: 0.5 };

export class ReconnectBackoff {
  private failures = 0;

  constructor(
    readonly options: ReconnectBackoffOptions = UI_RECONNECT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {
    const { baseMs, maxMs, jitter } = options;
    if (!(baseMs > 0) || !(maxMs >= baseMs)) throw new RangeError(`backoff needs 0 < baseMs <= maxMs, not ${baseMs} and ${maxMs}`);
    if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`backoff jitter must be between 0 and 1, not ${jitter}`);
  }

  /** Failed attempts since the last success (or reset). */
  get attempts(): number {
    return this.failures;
  }

  /** The longest the next wait can be. */
  ceiling(): number {
    // The exponent is capped so a long outage cannot overflow to Infinity.
    return Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.min(this.failures, 30));
  }

  /** Counts a failed attempt and returns the wait before the next one. */
  next(): number {
    const ceiling = this.ceiling();
    this.failures++;
    // random() is in [0, 1): the wait is in (ceiling·(1 − jitter), ceiling], at least 1 ms.
    return Math.max(1, Math.round(ceiling * (1 - this.options.jitter * this.random())));
  }

  /** After a success, or when the wearer asks to try now: the next wait starts small again. */
  reset(): void {
    this.failures = 0;
  }
}
