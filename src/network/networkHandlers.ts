import type { CallHandlers } from '../api/contract.js';
import type { networkCalls } from '../api/contract/network.js';
import type { NetworkProvisioner } from './NetworkProvisioner.js';

/** The provisioning calls over a NetworkProvisioner, shared by headsetd and the fake device (`network.status` is the watcher's). */
export function networkHandlers(provisioner: NetworkProvisioner): Omit<Pick<CallHandlers, keyof typeof networkCalls>, 'network.status'> {
  return {
    'network.overview': () => provisioner.currentAfterStart(),
    'network.scan': ({ rescan }) => provisioner.scan(rescan),
    'network.connect': (input) => provisioner.connect(input),
    'network.saved': () => provisioner.saved(),
    'network.setPriority': ({ id, priority, via }) => provisioner.setPriority(id, priority, via),
    'network.setSupport': ({ id, support, via }) => provisioner.setSupport(id, support, via),
    'network.forget': ({ id, via }) => provisioner.forget(id, via),
    // Answered only to the connection that asks (scope `user`): never pushed, never logged.
    'network.hotspotPassword': () => provisioner.hotspotSecret(),
    'network.audit': (query, context) => provisioner.auditLog(query, context.signal),
  };
}
