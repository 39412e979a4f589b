import { z } from 'zod';
import { call, event, noInput } from './common.js';

/**
 * Registration with a fleet server (seed 002 §11.3): the headset registers by signing the server's
 * challenge with its identity key, then checks in with its inventory. Without a configured server the
 * capability idles (`unmanaged`) and nothing waits for it. What the server answers (waiting for an
 * operator, refused, its database down) and an unreachable server are states, shown to the wearer.
 */

export const REGISTRATION_STATES = [
  /** No fleet server is configured: the headset is managed by nobody. */
  'unmanaged',
  /** A server is configured; the headset waits for a network to reach it. */
  'offline',
  /** Asking the server (a first registration, one after a new identity key, or a check-in). */
  'contacting',
  /** The server knows the headset (or its new key) and waits for an operator to accept it. */
  'pending',
  /** Accepted: the headset checks in with its inventory. */
  'registered',
  /** The server rejected or decommissioned the headset: it serves it nothing. */
  'refused',
  /** The last attempt failed (server unreachable, its database down, an answer off the contract): tried again later. */
  'retrying',
] as const;
export type RegistrationStateName = (typeof REGISTRATION_STATES)[number];

export const registrationProblemSchema = z.object({
  /** A code of docs/errors.md (the headset's side) or of docs/fleet-errors.md (what the server answered). */
  code: z.string(),
  message: z.string(),
});
export type RegistrationProblem = z.infer<typeof registrationProblemSchema>;

export const registrationStatusSchema = z.object({
  state: z.enum(REGISTRATION_STATES),
  /** The fleet server's address (origin and path); null when none is configured. */
  serverUrl: z.string().nullable(),
  /** The server as the wearer is told it: its host name. */
  serverName: z.string().nullable(),
  /** The server accepted this headset's current key (kept across restarts): it is managed, even while out of reach. */
  accepted: z.boolean(),
  /** Group tags the headset reports at each check-in (configured with --fleet-tags). */
  groupTags: z.array(z.string()),
  /** The last check-in the server answered (ISO 8601), null before the first. */
  lastCheckInAt: z.string().nullable(),
  /** When the next attempt is due (ISO 8601); null while idle or waiting for a network. */
  nextAttemptAt: z.string().nullable(),
  /** Why the headset is pending, refused or retrying: the code and the server's or the headset's words. */
  problem: registrationProblemSchema.nullable(),
});
export type RegistrationStatus = z.infer<typeof registrationStatusSchema>;

export const registrationCalls = {
  'registration.status': call({
    summary: 'Whether a fleet server manages this headset, and where its registration stands.',
    scope: 'status',
    input: noInput,
    output: registrationStatusSchema,
    errors: [],
  }),
  'registration.checkNow': call({
    summary: 'Register or check in with the fleet server now instead of at the next due time; answers the state after the attempt.',
    scope: 'user',
    input: noInput,
    output: registrationStatusSchema,
    errors: ['REGISTRATION_NOT_CONFIGURED'],
  }),
} as const;

export const registrationEvents = {
  'registration.changed': event({
    summary: "The registration's state changed (registered, pending, refused, retrying, ...).",
    scope: 'status',
    payload: registrationStatusSchema,
  }),
} as const;
