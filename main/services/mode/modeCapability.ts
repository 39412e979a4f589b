import type { modeCalls, modeEvents } from '../../../src/api/contract/mode.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { PowerControl } from '../platform/PowerControl.js';
import { powerOffOnRequest, restartOnRequest } from '../platform/restartOnRequest.js';
import { ModeService } from './ModeService.js';
import type { ModeAtBoot, RecoveryButton } from './ports.js';

/** Settings, first-run setup or the recovery kiosk (mode.get, setup.complete, recovery.restart and recovery.powerOff, mode.changed). */
export function modeCapability(needs: { stateDir: string; recoveryButton: RecoveryButton; power: PowerControl }): Capability<ModeAtBoot> {
  const mode = new ModeService(needs.stateDir, needs.recoveryButton);
  const handlers: HandlersOf<typeof modeCalls> = {
    'mode.get': () => mode.state.current() ?? { mode: mode.mode(), reason: 'default', setupComplete: false },
    'setup.complete': () => mode.completeSetup(),
    'recovery.restart': () => restartOnRequest(needs.power),
    'recovery.powerOff': () => powerOffOnRequest(needs.power),
  };
  const events: EventsOf<typeof modeEvents> = { 'mode.changed': mode.state };
  return { provides: mode, handlers, events };
}
