import type { z } from 'zod';
import type { Scope } from './contract/common.js';
import { alertsCalls, alertsEvents } from './contract/alerts.js';
import { backupCalls, backupEvents } from './contract/backup.js';
import { bootCalls, bootEvents } from './contract/boot.js';
import { healthCalls, healthEvents } from './contract/health.js';
import { identityCalls, identityEvents } from './contract/identity.js';
import { licenseCalls, licenseEvents } from './contract/license.js';
import { lockCalls, lockEvents } from './contract/lock.js';
import { logsCalls, logsEvents } from './contract/logs.js';
import { modeCalls, modeEvents } from './contract/mode.js';
import { networkCalls, networkEvents } from './contract/network.js';
import { resetCalls, resetEvents } from './contract/reset.js';
import { setupCalls, setupEvents } from './contract/setup.js';
import { profileCalls, profileEvents } from './contract/profile.js';
import { recoveryCalls, recoveryEvents } from './contract/recovery.js';
import { supportCalls, supportEvents } from './contract/support.js';
import { registrationCalls, registrationEvents } from './contract/registration.js';
import { systemCalls, systemEvents } from './contract/system.js';
import { telemetryCalls, telemetryEvents } from './contract/telemetry.js';
import { updateCalls, updateEvents } from './contract/update.js';
import { tracksCalls, tracksEvents } from './contract/tracks.js';

/**
 * The API contract: every call and event, merged from one file per capability (`contract/<capability>.ts`
 * declares that capability's schemas, calls and events). Client and service types are derived from
 * here; the router validates against it. Adding a capability means adding its file and spreading it below.
 */

export * from './contract/common.js';
export * from './contract/system.js';
export * from './contract/identity.js';
export * from './contract/boot.js';
export * from './contract/health.js';
export * from './contract/logs.js';
export * from './contract/mode.js';
export * from './contract/setup.js';
export * from './contract/profile.js';
export * from './contract/update.js';
export * from './contract/telemetry.js';
export * from './contract/alerts.js';
export * from './contract/lock.js';
export * from './contract/backup.js';
export * from './contract/network.js';
export * from './contract/reset.js';
export * from './contract/recovery.js';
export * from './contract/license.js';
export * from './contract/support.js';
export * from './contract/registration.js';
export * from './contract/tracks.js';

// contract.test.ts checks that no name is declared twice (a later spread would silently win).
export const apiCalls = {
  ...systemCalls,
  ...identityCalls,
  ...bootCalls,
  ...healthCalls,
  ...logsCalls,
  ...modeCalls,
  ...setupCalls,
  ...profileCalls,
  ...updateCalls,
  ...telemetryCalls,
  ...alertsCalls,
  ...lockCalls,
  ...backupCalls,
  ...supportCalls,
  ...networkCalls,
  ...registrationCalls,
  ...resetCalls,
  ...recoveryCalls,
  ...licenseCalls,
  ...tracksCalls,
} as const;

export const apiEvents = {
  ...systemEvents,
  ...identityEvents,
  ...bootEvents,
  ...healthEvents,
  ...logsEvents,
  ...modeEvents,
  ...setupEvents,
  ...profileEvents,
  ...updateEvents,
  ...telemetryEvents,
  ...alertsEvents,
  ...lockEvents,
  ...backupEvents,
  ...supportEvents,
  ...networkEvents,
  ...registrationEvents,
  ...resetEvents,
  ...recoveryEvents,
  ...licenseEvents,
  ...tracksEvents,
} as const;

// ---- derived types --------------------------------------------------------------------------

export type ApiCalls = typeof apiCalls;
export type ApiEvents = typeof apiEvents;
export type CallName = keyof ApiCalls;
export type EventName = keyof ApiEvents;
export type CallInput<M extends CallName> = z.input<ApiCalls[M]['input']>;
export type CallOutput<M extends CallName> = z.output<ApiCalls[M]['output']>;
export type EventPayload<E extends EventName> = z.output<ApiEvents[E]['payload']>;

export interface CallContext {
  readonly signal: AbortSignal;
  /** A label of the connection (transport and peer), for the log. */
  connection: string;
  /** The connection's id, unique in its router for the life of the process (an unlock session is bound to it). */
  connectionId: number;
  /** Whether the connection may use calls of this scope now: its transport's scopes, or one granted to it. */
  holds(scope: Scope): boolean;
}

/** What the service side implements: one handler per call, typed from the contract. */
export type CallHandlers = {
  [M in CallName]: (
    input: z.output<ApiCalls[M]['input']>,
    context: CallContext,
  ) => Promise<z.input<ApiCalls[M]['output']>> | z.input<ApiCalls[M]['output']>;
};

/** A state a service pushes: its current value and its changes. */
export interface StateSource<T> {
  current(): T | undefined;
  subscribe(listener: (value: T) => void): () => void;
}

export type EventSources = { [E in EventName]: StateSource<EventPayload<E>> };
