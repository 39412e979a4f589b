import type { SystemInfo } from '../../../src/api/contract.js';
import type { systemCalls } from '../../../src/api/contract/system.js';
import type { Capability, HandlersOf } from '../capability.js';
import type { PowerControl } from '../platform/PowerControl.js';
import { powerOffOnRequest, restartOnRequest } from '../platform/restartOnRequest.js';

/** What the product is and runs on (system.ping, system.info with component versions, system.restart, system.powerOff). */
export function systemCapability(needs: {
  info: SystemInfo;
  components: () => Promise<Record<string, string>>;
  power: PowerControl;
}): Capability<void> {
  const handlers: HandlersOf<typeof systemCalls> = {
    'system.ping': ({ payload }) => ({ payload }),
    'system.info': async () => ({ ...needs.info, components: await needs.components() }),
    'system.restart': () => restartOnRequest(needs.power),
    'system.powerOff': () => powerOffOnRequest(needs.power),
  };
  return { provides: undefined, handlers };
}
