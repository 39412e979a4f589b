/**
 * What the forwarder does with the outcome of one OTLP/HTTP export (OTLP spec, "Failures"):
 * retry only 429, 502, 503, 504 and network errors, with exponential backoff and full jitter,
 * honouring Retry-After; never retry 400, 413 or a partial success.
 */

export type ExportOutcome =
  | { kind: 'accepted'; rejected: number; errorMessage?: string }
  | { kind: 'http'; status: number; retryAfter?: string | null; body?: string }
  | { kind: 'network'; error: string }
  /** 2xx whose body is not an OTLP response: the acknowledgement cannot be read. */
  | { kind: 'bad-response'; status: number; detail: string };

export type RetryDecision =
  /** Everything was taken: the records are done. */
  | { action: 'done' }
  /** Some records were refused for good (partial success): done, count `rejected`, never resend. */
  | { action: 'done-partial'; rejected: number; reason: string }
  /** Too large (413): send each half on its own. */
  | { action: 'split' }
  /** Refused for good (400 and other 4xx): drop the batch and count it. */
  | { action: 'drop'; reason: string }
  /** Try the same batch again after `delayMs`. */
  | { action: 'retry'; delayMs: number; reason: string };

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Ceiling on a server's Retry-After, so a wrong date (or our clock jumping back) cannot stall us for days. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 5 * 60_000, maxRetryAfterMs: 30 * 60_000 };

const RETRYABLE = new Set([429, 502, 503, 504]);

/** Full jitter (AWS architecture blog): a uniform delay in [0, min(max, base·2^attempt)]. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

export function decideRetry(
  outcome: ExportOutcome,
  attempt: number,
  options: BackoffOptions,
  nowMs: number,
  random: () => number = Math.random,
): RetryDecision {
  switch (outcome.kind) {
    case 'accepted':
      return outcome.rejected > 0
        ? { action: 'done-partial', rejected: outcome.rejected, reason: outcome.errorMessage ?? 'partial success' }
        : { action: 'done' };
    case 'network':
      return { action: 'retry', delayMs: backoffDelay(attempt, options, random), reason: outcome.error };
    case 'bad-response':
      // Unreadable acknowledgement: not known to be delivered, so at-least-once means trying again.
      return {
        action: 'retry',
        delayMs: backoffDelay(attempt, options, random),
        reason: `unreadable response (${outcome.status}): ${outcome.detail}`,
      };
    case 'http': {
      if (outcome.status === 413) return { action: 'split' };
      if (RETRYABLE.has(outcome.status)) {
        const serverSays = parseRetryAfter(outcome.retryAfter, nowMs);
        // At least baseMs: `Retry-After: 0` (or a date already past) must not turn into a busy loop.
        const delayMs =
          serverSays === null ? backoffDelay(attempt, options, random) : Math.max(options.baseMs, Math.min(serverSays, options.maxRetryAfterMs));
        return { action: 'retry', delayMs, reason: `HTTP ${outcome.status}` };
      }
      return { action: 'drop', reason: `HTTP ${outcome.status}${outcome.body ? `: ${outcome.body.slice(0, 200)}` : ''}` };
    }
  }
}
