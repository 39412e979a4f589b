import type { NetworkStatus, StateSource } from '../../../src/api/contract.js';
import type { networkCalls, networkEvents } from '../../../src/api/contract/network.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { NetworkMonitor } from '../platform/NetworkMonitor.js';
import { NetworkWatcher } from './NetworkWatcher.js';

/**
 * The network's state for the wearer (network.status, network.changed), read from the device
 * profile's shared network port. Choosing and joining networks comes with the network panel.
 */
export function networkCapability(needs: { monitor: NetworkMonitor; log: SubsystemLogger; pollMs?: number }): Capability<{
  network: StateSource<NetworkStatus>;
}> {
  const watcher = new NetworkWatcher(needs.monitor, { log: needs.log, pollMs: needs.pollMs });
  const handlers: HandlersOf<typeof networkCalls> = { 'network.status': () => watcher.current() };
  const events: EventsOf<typeof networkEvents> = { 'network.changed': watcher.status };
  return {
    provides: { network: watcher.status },
    handlers,
    events,
    start: () => watcher.start(),
    stop: async () => watcher.stop(),
  };
}
