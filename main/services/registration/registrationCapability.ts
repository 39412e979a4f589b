import type { NetworkStatus, RegistrationStatus, StateSource } from '../../../src/api/contract.js';
import type { registrationCalls, registrationEvents } from '../../../src/api/contract/registration.js';
import type { ReconnectBackoffOptions } from '../../../src/api/reconnectBackoff.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { SupportOffer } from '../../../src/fleet/supportApi.js';
import type { FleetConfig } from './fleetConfig.js';
import type { IdentitySigner, InventoryFacts, RolloutReports } from './ports.js';
import { RegistrationJournal } from './RegistrationJournal.js';
import { RegistrationService } from './RegistrationService.js';

export interface RegistrationNeeds {
  /** The fleet server (remembered, `openFleetConfig`); undefined: none, the capability idles. */
  config: FleetConfig | undefined;
  identity: IdentitySigner;
  facts: InventoryFacts;
  rollouts?: RolloutReports;
  supportOffers?: { offered(offer: SupportOffer | null): void };
  network: StateSource<NetworkStatus>;
  stateDir: string;
  log: SubsystemLogger;
  backoff?: ReconnectBackoffOptions;
  pendingPollMs?: number;
  refusedPollMs?: number;
  requestTimeoutMs?: number;
}

/**
 * Registration with the fleet server and check-ins with the inventory (registration.status,
 * registration.checkNow, registration.changed). Starting it never waits for the server: the first
 * attempt runs in the background once the network is up.
 */
export function registrationCapability(needs: RegistrationNeeds): Capability<{ registration: StateSource<RegistrationStatus> }> {
  const service = new RegistrationService({ ...needs, journal: new RegistrationJournal(needs.stateDir) });
  const handlers: HandlersOf<typeof registrationCalls> = {
    'registration.status': () => service.status.current()!,
    'registration.checkNow': () => service.checkNow(),
  };
  const events: EventsOf<typeof registrationEvents> = { 'registration.changed': service.status };
  return {
    provides: { registration: service.status },
    handlers,
    events,
    start: () => service.start(),
    stop: () => service.stop(),
  };
}
