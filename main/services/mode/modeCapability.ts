import type { modeCalls, modeEvents } from '../../../src/api/contract/mode.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { PowerControl } from '../platform/PowerControl.js';
import { powerOffOnRequest, restartOnRequest } from '../platform/restartOnRequest.js';
import { AppError } from '../../../src/api/errors.js';
import { ModeService } from './ModeService.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { ModeAtBoot, PendingReset, RecoveryButton } from './ports.js';

export interface ModeNeeds {
  stateDir: string;
  recoveryButton: RecoveryButton;
  power: PowerControl;
  /** Writes the bootloader's one-boot recovery request (BootControl.requestRecovery). */
  requestRecovery?: () => Promise<void>;
  /** A factory reset cut short: the next start is in recovery. */
  pendingReset?: PendingReset;
  /** Subsystem `recovery`: entering and leaving recovery, what was done there. */
  recoveryLog?: SubsystemLogger;
}

/**
 * Settings, first-run setup or the recovery kiosk (mode.get, setup.complete, mode.restartIntoRecovery,
 * recovery.restart and recovery.powerOff, mode.changed).
 */
export function modeCapability(needs: ModeNeeds): Capability<ModeAtBoot> {
  const mode = new ModeService(needs.stateDir, needs.recoveryButton, { pendingReset: needs.pendingReset, recoveryLog: needs.recoveryLog });
  const restartIntoRecovery = async () => {
    if (!needs.requestRecovery) throw new AppError('NOT_SUPPORTED', 'This device profile cannot restart into recovery.');
    await needs.requestRecovery();
    needs.recoveryLog?.info('restart into recovery requested from Settings');
    return restartOnRequest(needs.power);
  };
  const handlers: HandlersOf<typeof modeCalls> = {
    'mode.get': () => mode.state.current() ?? { mode: mode.mode(), reason: 'default', setupComplete: false },
    'setup.complete': () => mode.completeSetup(),
    'mode.restartIntoRecovery': restartIntoRecovery,
    'recovery.restart': () => {
      needs.recoveryLog?.info('leaving recovery: restart');
      return restartOnRequest(needs.power);
    },
    'recovery.powerOff': () => powerOffOnRequest(needs.power),
  };
  const events: EventsOf<typeof modeEvents> = { 'mode.changed': mode.state };
  return { provides: mode, handlers, events };
}
