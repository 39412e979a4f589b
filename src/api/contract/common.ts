import { z } from 'zod';
import type { ErrorCode } from '../errors.js';

/**
 * What every capability's contract file builds on: scopes, modes, the shape of a call and an event,
 * and the small schemas several capabilities share.
 */

/** Who may use a call. `recovery` calls additionally need the device to be in recovery mode. */
export const SCOPES = ['status', 'user', 'unlocked', 'recovery'] as const;
export type Scope = (typeof SCOPES)[number];

export const MODES = ['settings', 'setup', 'recovery'] as const;
export const modeSchema = z.enum(MODES);
export type Mode = z.infer<typeof modeSchema>;

export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  summary: string;
  scope: Scope;
  /** Modes the call is offered in; absent means every mode. */
  modes?: readonly Mode[];
  input: I;
  output: O;
  /** Errors the service itself may raise (the router's generic ones come on top). */
  errors: readonly ErrorCode[];
}

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  summary: string;
  scope: Scope;
  payload: P;
}

/** Declares a call, keeping its schemas' exact types for the derived client and handler types. */
export const call = <I extends z.ZodType, O extends z.ZodType>(spec: CallSpec<I, O>) => spec;
/** Declares an event, keeping its payload schema's exact type. */
export const event = <P extends z.ZodType>(spec: EventSpec<P>) => spec;

export const noInput = z.object({}).strict();

/** The answer of the calls that restart the headset: it goes down right after answering. */
export const restartingSchema = z.object({ restarting: z.literal(true) });
/** The answer of the calls that switch the headset off: it goes down right after answering. */
export const poweringOffSchema = z.object({ poweringOff: z.literal(true) });
