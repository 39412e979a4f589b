import { z } from 'zod';
import { call, event, noInput } from './common.js';

/**
 * Remote support ("support without control"): the headset opens a reverse SSH tunnel to the vendor's
 * relay, through which support reads a read-only view (logs, crash records, health and update
 * history, configuration with secrets removed) and nothing else. Started by the wearer (unlocked) or
 * the physical support switch; ended by the wearer, the timer, the idle limit or a restart.
 */

/** Default and longest support session. */
export const SUPPORT_DEFAULT_MINUTES = 60;
export const SUPPORT_MAX_MINUTES = 24 * 60;

/**
 * `off`: no session. `connecting`: setting up the first tunnel. `active`: the tunnel is up, support
 * can read. `reconnecting`: the relay dropped or refused; the next try waits `retryInMs`.
 */
export const SUPPORT_STATES = ['off', 'connecting', 'active', 'reconnecting'] as const;
export type SupportState = (typeof SUPPORT_STATES)[number];

/** Why the last tunnel attempt failed (typed, so the UI can say it in words). */
export const SUPPORT_PROBLEMS = ['relay-unreachable', 'relay-refused', 'relay-host-key', 'forward-refused', 'tunnel-lost', 'tunnel-failed'] as const;
export type SupportProblem = (typeof SUPPORT_PROBLEMS)[number];

/** Why a session ended. */
export const SUPPORT_END_REASONS = ['wearer', 'switch', 'timer', 'idle', 'restart', 'relay-host-key', 'failed'] as const;
export type SupportEndReason = (typeof SUPPORT_END_REASONS)[number];

export const SUPPORT_STARTERS = ['settings', 'switch'] as const;

export const supportSessionSchema = z.object({
  id: z.string(),
  startedBy: z.enum(SUPPORT_STARTERS),
  /** What the wearer said it is for, if anything. */
  reason: z.string().nullable(),
  /** Who is on the other side: the relay's name from the configuration. */
  who: z.string(),
  /** Support people connected now, by the name their key has in the configuration. */
  viewers: z.array(z.string()),
  /** When it started (ISO 8601, for display; the limits run on the monotonic clock). */
  since: z.string(),
  durationMinutes: z.number().int().positive(),
  /** Time left before the timer ends it (ms, monotonic). */
  endsInMs: z.number().int().nonnegative(),
  /** Time left before the idle limit ends it, unless support reads something (ms). */
  idleEndsInMs: z.number().int().nonnegative(),
  /** The relay as host:port. */
  relay: z.string(),
  /** The port on the relay that leads to this headset's view, once the tunnel is up. */
  relayPort: z.number().int().positive().nullable(),
  /** Files support opened so far. */
  reads: z.number().int().nonnegative(),
  /** Tunnel attempts that failed in a row. */
  attempt: z.number().int().nonnegative(),
  /** When state is `reconnecting`: the wait before the next try (ms). */
  retryInMs: z.number().int().nonnegative().nullable(),
  problem: z.enum(SUPPORT_PROBLEMS).nullable(),
});
export type SupportSession = z.infer<typeof supportSessionSchema>;

export const supportStatusSchema = z.object({
  state: z.enum(SUPPORT_STATES),
  /** Whether a relay is configured (without one, support cannot start). */
  configured: z.boolean(),
  /** The physical support switch's position (false where the device has none). */
  switchOn: z.boolean(),
  session: supportSessionSchema.nullable(),
  /** How the last session ended, if one did since headsetd started. */
  lastEnded: z
    .object({ id: z.string(), at: z.string(), reason: z.enum(SUPPORT_END_REASONS), problem: z.enum(SUPPORT_PROBLEMS).nullable() })
    .nullable(),
});
export type SupportStatus = z.infer<typeof supportStatusSchema>;

export const supportCalls = {
  'support.status': call({
    summary: 'Whether support is connected: who, since when, time left, the tunnel state.',
    scope: 'status',
    input: noInput,
    output: supportStatusSchema,
    errors: [],
  }),
  'support.start': call({
    summary: `Starts a read-only support session for durationMinutes (default ${SUPPORT_DEFAULT_MINUTES}, at most ${SUPPORT_MAX_MINUTES}).`,
    scope: 'unlocked',
    modes: ['settings', 'recovery'],
    // Any whole number: the service answers one out of range with SUPPORT_DURATION_OUT_OF_RANGE.
    input: z.object({ durationMinutes: z.number().int().optional(), reason: z.string().max(200).optional() }).strict(),
    output: supportStatusSchema,
    errors: ['SUPPORT_NOT_CONFIGURED', 'SUPPORT_ALREADY_ACTIVE', 'SUPPORT_DURATION_OUT_OF_RANGE', 'SUPPORT_UNAVAILABLE'],
  }),
  'support.stop': call({
    summary: 'Ends the support session now (anyone at the headset may: stopping never needs the PIN).',
    scope: 'user',
    input: noInput,
    output: supportStatusSchema,
    errors: [],
  }),
} as const;

export const supportEvents = {
  'support.changed': event({
    summary: 'The support session started, changed state (tunnel up, down, retrying, someone connected) or ended.',
    scope: 'status',
    payload: supportStatusSchema,
  }),
} as const;
