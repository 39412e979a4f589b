import { z } from 'zod';
import { call, event, noInput } from './common.js';

/**
 * Device lock: the wearer's PIN. Calls in the `unlocked` scope (network changes, wipe, support mode)
 * need it: `lock.unlock` opens a session bound to the connection that gave the right PIN, ended by
 * idle minutes, by `lock.lock` or by the connection closing. Without a PIN every local UI is
 * unlocked; an unreadable lock file keeps the headset locked.
 */

/** `none`: no PIN; `set`: a PIN guards the `unlocked` calls; `unreadable`: the lock file is corrupt (locked). */
export const PIN_STATES = ['none', 'set', 'unreadable'] as const;
export type PinState = (typeof PIN_STATES)[number];

/** The device's lock, the same for every connection (pushed as `lock.changed`). */
export const lockStateSchema = z.object({
  pin: z.enum(PIN_STATES),
  /** Wrong PINs in a row (kept across restarts). */
  failures: z.number().int().nonnegative(),
  /** When the next attempt may come (ISO 8601), or null when it may come now. */
  waitUntil: z.string().nullable(),
});
export type LockState = z.infer<typeof lockStateSchema>;

/** The lock as one connection sees it. */
export const lockStatusSchema = lockStateSchema.extend({
  /** Whether this connection may use `unlocked` calls now (its session, or no PIN). */
  unlocked: z.boolean(),
  /** How long this connection's session lasts if unused (ms), or null without a session. */
  sessionEndsInMs: z.number().int().nonnegative().nullable(),
  /** How many idle minutes end a session. */
  idleMinutes: z.number().positive(),
  /** How long before the next attempt may come (ms; 0: now). */
  retryAfterMs: z.number().int().nonnegative(),
});
export type LockStatus = z.infer<typeof lockStatusSchema>;

// Any string up to 64 characters: the lock answers a malformed PIN with its own codes (LOCK_PIN_*).
const pinSchema = z.string().max(64);

export const lockCalls = {
  'lock.status': call({
    summary: 'The lock as this connection sees it: whether a PIN is set, whether this connection is unlocked, the wait after wrong PINs.',
    scope: 'status',
    input: noInput,
    output: lockStatusSchema,
    errors: [],
  }),
  'lock.set': call({
    summary: 'Sets a PIN (4 to 8 digits) where none is set; this connection is unlocked by it.',
    scope: 'user',
    input: z.object({ pin: pinSchema }).strict(),
    output: lockStatusSchema,
    errors: ['LOCK_PIN_TOO_SHORT', 'LOCK_PIN_TOO_LONG', 'LOCK_PIN_NOT_DIGITS', 'LOCK_PIN_ALREADY_SET', 'LOCK_FILE_CORRUPT'],
  }),
  'lock.unlock': call({
    summary: 'Unlocks this connection with the PIN, until it is idle for the idle minutes, locked, or closed.',
    scope: 'user',
    input: z.object({ pin: pinSchema }).strict(),
    output: lockStatusSchema,
    errors: [
      'LOCK_WRONG_PIN',
      'LOCK_BACKING_OFF',
      'LOCK_PIN_TOO_SHORT',
      'LOCK_PIN_TOO_LONG',
      'LOCK_PIN_NOT_DIGITS',
      'LOCK_NO_PIN',
      'LOCK_FILE_CORRUPT',
    ],
  }),
  'lock.lock': call({
    summary: "Ends this connection's unlock session now.",
    scope: 'user',
    input: noInput,
    output: lockStatusSchema,
    errors: [],
  }),
  'lock.change': call({
    summary: "Replaces the PIN; needs the current one. Other connections' sessions end.",
    scope: 'user',
    input: z.object({ oldPin: pinSchema.optional(), newPin: pinSchema }).strict(),
    output: lockStatusSchema,
    errors: [
      'LOCK_PIN_REQUIRED',
      'LOCK_WRONG_PIN',
      'LOCK_BACKING_OFF',
      'LOCK_PIN_TOO_SHORT',
      'LOCK_PIN_TOO_LONG',
      'LOCK_PIN_NOT_DIGITS',
      'LOCK_NO_PIN',
      'LOCK_FILE_CORRUPT',
    ],
  }),
  'lock.remove': call({
    summary: 'Removes the PIN; needs it. Every local UI is then unlocked.',
    scope: 'user',
    input: z.object({ pin: pinSchema.optional() }).strict(),
    output: lockStatusSchema,
    errors: [
      'LOCK_PIN_REQUIRED',
      'LOCK_WRONG_PIN',
      'LOCK_BACKING_OFF',
      'LOCK_PIN_TOO_SHORT',
      'LOCK_PIN_TOO_LONG',
      'LOCK_PIN_NOT_DIGITS',
      'LOCK_NO_PIN',
      'LOCK_FILE_CORRUPT',
    ],
  }),
} as const;

export const lockEvents = {
  'lock.changed': event({
    summary: 'The lock after a PIN is set, changed or removed, and after every attempt (wrong PINs in a row, the wait).',
    scope: 'status',
    payload: lockStateSchema,
  }),
} as const;
