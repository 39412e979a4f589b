/**
 * A token bucket over bytes: `rate` bytes per second on average, bursts up to `capacity`. Pure: the
 * caller passes the time, so the same code throttles downloads and is tested without a clock.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  setRate(rate: number, now: number): void {
    this.refill(now);
    this.rate = rate;
  }

  /** Takes `bytes` if it can and returns 0; otherwise returns the milliseconds to wait first. */
  take(bytes: number, now: number): number {
    if (this.rate === Infinity) return 0;
    this.refill(now);
    // A chunk larger than the bucket is allowed to drive it negative: it is paid for afterwards.
    if (this.tokens >= Math.min(bytes, this.capacity)) {
      this.tokens -= bytes;
      return 0;
    }
    return Math.ceil(((Math.min(bytes, this.capacity) - this.tokens) / this.rate) * 1000);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    if (this.rate === Infinity) {
      this.tokens = this.capacity;
      return;
    }
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.rate);
  }
}
