import { apiCalls, apiEvents, type CallHandlers, type EventSources } from '../../src/api/contract.js';
import type { Capability } from '../services/capability.js';
import type { SubsystemLogger } from '../services/logging/Logger.js';
import { errorDetail } from '../../src/errorText.js';
import { closeAll } from './closeAll.js';

/**
 * Collects the capabilities in the order the wiring adds them (their dependency order): starts
 * them in that order, stops them in reverse, and binds the contract's calls and events to them,
 * refusing a call or event bound twice or not at all.
 */
export class CapabilityHost {
  private readonly added: { name: string; capability: Capability<unknown> }[] = [];
  /** Capabilities stopped by `quiesce`: not started again, not stopped twice. */
  private readonly quiesced = new Set<string>();
  private readonly handlerOwners = new Map<string, string>();
  private readonly eventOwners = new Map<string, string>();
  private readonly callHandlers: Partial<CallHandlers> = {};
  private readonly eventSources: Partial<EventSources> = {};

  add<P>(name: string, capability: Capability<P>): P {
    for (const [method, handler] of Object.entries(capability.handlers ?? {})) {
      const owner = this.handlerOwners.get(method);
      if (owner) throw new Error(`${name} and ${owner} both answer ${method}`);
      this.handlerOwners.set(method, name);
      (this.callHandlers as Record<string, unknown>)[method] = handler;
    }
    for (const [event, source] of Object.entries(capability.events ?? {})) {
      const owner = this.eventOwners.get(event);
      if (owner) throw new Error(`${name} and ${owner} both publish ${event}`);
      this.eventOwners.set(event, name);
      (this.eventSources as Record<string, unknown>)[event] = source;
    }
    this.added.push({ name, capability });
    return capability.provides;
  }

  /** The capabilities' names, in the order they were added. */
  names(): string[] {
    return this.added.map((entry) => entry.name);
  }

  async start(log: SubsystemLogger): Promise<void> {
    for (const { name, capability } of this.added) {
      if (!capability.start || this.quiesced.has(name)) continue;
      try {
        await capability.start();
      } catch (error) {
        log.error(`starting ${name} failed`, { error: errorDetail(error) });
        throw error;
      }
    }
  }

  async stop(log: SubsystemLogger): Promise<void> {
    const steps = this.added
      .filter((entry) => entry.capability.stop && !this.quiesced.has(entry.name))
      .reverse()
      .map(({ name, capability }): [string, () => Promise<void>] => [name, () => capability.stop!()]);
    await closeAll(steps, (what, error) => log.error(`stopping ${what} failed`, { error: errorDetail(error) }));
  }

  /**
   * Stops every capability but those kept, in reverse order, before a wipe (the restart that ends
   * it starts them all again). Failures are logged, not thrown: a service that would not stop must
   * not keep the wipe from running; its leftovers show in the wipe's verification.
   */
  async quiesce(keep: readonly string[], log: SubsystemLogger): Promise<void> {
    const unknown = keep.filter((name) => !this.added.some((entry) => entry.name === name));
    if (unknown.length > 0) throw new Error(`quiesce keeps capabilities that were never added: ${unknown.join(', ')}`);
    const steps = this.added
      .filter((entry) => !keep.includes(entry.name) && !this.quiesced.has(entry.name))
      .reverse()
      .map(({ name, capability }): [string, () => Promise<void>] => {
        this.quiesced.add(name);
        return [name, () => capability.stop?.() ?? Promise.resolve()];
      });
    await closeAll(steps, (what, error) => log.error(`stopping ${what} before the wipe failed`, { error: errorDetail(error) }));
  }

  /** Every call of the contract, each answered by exactly one capability. */
  handlers(): CallHandlers {
    const missing = Object.keys(apiCalls).filter((method) => !this.handlerOwners.has(method));
    if (missing.length > 0) throw new Error(`No capability answers ${missing.join(', ')}`);
    return this.callHandlers as CallHandlers;
  }

  events(): EventSources {
    const missing = Object.keys(apiEvents).filter((event) => !this.eventOwners.has(event));
    if (missing.length > 0) throw new Error(`No capability publishes ${missing.join(', ')}`);
    return this.eventSources as EventSources;
  }
}
