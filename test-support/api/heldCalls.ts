import type { CallContext } from '../../src/api/contract.js';

// Calls a test holds inside a handler and releases when it chooses.

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Holds calls inside a handler until released, like a slow service that honours cancellation:
 * each held call rejects as soon as its signal aborts.
 */
export class HeldCalls {
  readonly contexts: CallContext[] = [];
  private readonly release = deferred();
  private readonly arrivals: { count: number; resolve: () => void }[] = [];

  handler<T>(output: T): (input: unknown, context: CallContext) => Promise<T> {
    return async (_input, context) => {
      this.contexts.push(context);
      for (const arrival of this.arrivals.filter((a) => this.contexts.length >= a.count)) arrival.resolve();
      const aborted = new Promise<never>((_, reject) => {
        if (context.signal.aborted) reject(new Error('aborted'));
        context.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
      await Promise.race([this.release.promise, aborted]);
      return output;
    };
  }

  /** Resolves once `count` calls have entered the handler. */
  entered(count: number): Promise<void> {
    if (this.contexts.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.arrivals.push({ count, resolve }));
  }

  releaseAll(): void {
    this.release.resolve();
  }
}
