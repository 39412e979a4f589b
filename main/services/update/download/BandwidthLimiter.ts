import { TokenBucket } from '../../../../src/update/tokenBucket.js';

/** Throttles a byte stream to a rate that can change while it runs (the wearer's setting). */
export class BandwidthLimiter {
  private readonly bucket: TokenBucket;

  /** `bytesPerSecond` Infinity means unlimited. */
  constructor(bytesPerSecond = Infinity) {
    // A quarter second of burst: smooth enough to stay within a few percent, few enough timer wake-ups.
    this.bucket = new TokenBucket(bytesPerSecond, burstFor(bytesPerSecond), Date.now());
  }

  setRate(bytesPerSecond: number): void {
    this.bucket.setRate(bytesPerSecond, Date.now());
  }

  async acquire(bytes: number, signal?: AbortSignal): Promise<void> {
    for (let wait = this.bucket.take(bytes, Date.now()); wait > 0; wait = this.bucket.take(bytes, Date.now())) {
      await sleep(wait, signal);
    }
  }
}

function burstFor(rate: number): number {
  return rate === Infinity ? 1 : Math.max(16 * 1024, Math.floor(rate / 4));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
