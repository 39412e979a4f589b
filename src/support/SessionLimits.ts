import { SUPPORT_MAX_MINUTES, SUPPORT_DEFAULT_MINUTES } from '../api/contract/support.js';
import { AppError } from '../api/errors.js';

/** A session's duration in minutes: the default, or a whole number from 1 to 24 h. */
export function sessionMinutes(requested: number | undefined): number {
  const minutes = requested ?? SUPPORT_DEFAULT_MINUTES;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > SUPPORT_MAX_MINUTES) {
    throw new AppError('SUPPORT_DURATION_OUT_OF_RANGE', undefined, { durationMinutes: requested, max: SUPPORT_MAX_MINUTES });
  }
  return minutes;
}

/**
 * A session's two limits, on a monotonic clock (milliseconds that only move forward, whatever the
 * wall clock does): the whole duration, and the idle time since support last did something.
 */
export class SessionLimits {
  private lastActivity: number;

  constructor(
    private readonly startedAt: number,
    readonly durationMs: number,
    readonly idleMs: number,
  ) {
    this.lastActivity = startedAt;
  }

  /** Support did something (logged in, listed, read): the idle limit starts again. */
  touch(now: number): void {
    if (now > this.lastActivity) this.lastActivity = now;
  }

  endsInMs(now: number): number {
    return Math.max(0, Math.round(this.startedAt + this.durationMs - now));
  }

  idleEndsInMs(now: number): number {
    return Math.max(0, Math.round(this.lastActivity + this.idleMs - now));
  }

  /** Which limit has run out, the timer first; null while both hold. */
  expired(now: number): 'timer' | 'idle' | null {
    if (this.endsInMs(now) === 0) return 'timer';
    if (this.idleEndsInMs(now) === 0) return 'idle';
    return null;
  }

  /** When the next limit runs out (ms from now). */
  nextDeadlineInMs(now: number): number {
    return Math.min(this.endsInMs(now), this.idleEndsInMs(now));
  }
}
