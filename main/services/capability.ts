import type { CallHandlers, CallName, EventName, EventSources } from '../../src/api/contract.js';

/**
 * What a capability module hands the host: the ports it offers the capabilities after it, the
 * handlers of its calls and the sources of its events (its contract file's), and its start/stop.
 */
export interface Capability<Provides> {
  provides: Provides;
  handlers?: Partial<CallHandlers>;
  events?: Partial<EventSources>;
  /** Runs after every capability before it has started (dependency order). */
  start?(): Promise<void>;
  /** Runs in reverse order at an orderly stop; each runs even when one before it failed. */
  stop?(): Promise<void>;
}

/** A capability's handlers: exactly the calls its contract file declares. */
export type HandlersOf<Calls> = Pick<CallHandlers, Extract<keyof Calls, CallName>>;
/** A capability's events: exactly the events its contract file declares. */
export type EventsOf<Events> = Pick<EventSources, Extract<keyof Events, EventName>>;
