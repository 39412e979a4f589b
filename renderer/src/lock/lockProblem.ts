import { ApiError } from '../../../src/api/client.js';
import { formatDuration } from '../design/format.js';

/**
 * What a failed lock call tells the wearer: the catalogue's words, and for a wrong PIN or an attempt
 * too soon, how long to wait. Never the PIN.
 */
export function lockProblem(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const wait = retryAfterMs(error.details);
  if (error.code === 'LOCK_WRONG_PIN')
    return wait > 0 ? `${error.message} Try again in ${formatDuration(wait / 1000)}.` : `${error.message} Try again.`;
  if (error.code === 'LOCK_BACKING_OFF' && wait > 0) return `Too many wrong PINs. Try again in ${formatDuration(wait / 1000)}.`;
  return error.message;
}

function retryAfterMs(details: unknown): number {
  const value = typeof details === 'object' && details !== null ? (details as { retryAfterMs?: unknown }).retryAfterMs : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Milliseconds left of the wait after wrong PINs (`lock.changed`'s waitUntil), at `now`. */
export function waitLeft(waitUntil: string | null | undefined, now: number): number {
  if (!waitUntil) return 0;
  return Math.max(0, Date.parse(waitUntil) - now);
}
