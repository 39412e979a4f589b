import type { recoveryCalls, recoveryEvents } from '../../../src/api/contract/recovery.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { ExportMedium } from '../logging/ExportMedium.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { SystemInstallPort } from '../../../src/recovery/ports.js';
import { RecoveryInstalls } from '../../../src/recovery/RecoveryInstalls.js';
import { UsbBundleStick } from './UsbBundleStick.js';

/**
 * Recovery installs (recovery.installFromNetwork, recovery.installFromUsb, recovery.installStatus,
 * recovery.installChanged): the update capability's installer behind SystemInstallPort, the USB
 * stick of the log exports. Entering and leaving recovery is the mode capability's.
 */
export function recoveryCapability(needs: { system: SystemInstallPort; stick: ExportMedium; log: SubsystemLogger }): Capability<RecoveryInstalls> {
  const installs = new RecoveryInstalls({ system: needs.system, stick: new UsbBundleStick(needs.stick), log: needs.log });
  const handlers: HandlersOf<typeof recoveryCalls> = {
    'recovery.installStatus': () => installs.current(),
    'recovery.installFromNetwork': () => installs.fromNetwork(),
    'recovery.installFromUsb': () => installs.fromUsb(),
  };
  const events: EventsOf<typeof recoveryEvents> = { 'recovery.installChanged': installs.state };
  return { provides: installs, handlers, events };
}
