import type { CallHandlers, SystemInfo } from '../../src/api/contract.js';
import { AppError } from '../../src/api/errors.js';
import type { BootService } from '../services/boot/BootService.js';
import type { HealthService } from '../services/health/HealthService.js';
import type { IdentityService } from '../services/identity/IdentityService.js';
import type { ModeService } from '../services/mode/ModeService.js';
import type { PowerControl } from '../services/mode/ports.js';
import type { UpdateService } from '../services/update/UpdateService.js';

export interface Services {
  info: SystemInfo;
  identity: IdentityService;
  boot: BootService;
  health: HealthService;
  mode: ModeService;
  power: PowerControl | undefined;
  updates: UpdateService;
}

/** Binds each call of the contract to the service that answers it. */
export function createApiHandlers(services: Services): CallHandlers {
  return {
    'system.ping': ({ payload }) => ({ payload }),
    'system.info': () => services.info,
    'identity.get': () => services.identity.get(),
    'boot.status': () => {
      const status = services.boot.status.current();
      if (!status) throw new Error('boot status not loaded');
      return status;
    },
    'health.snapshot': () => services.health.snapshot.current() ?? services.health.sample(),
    'mode.get': () => services.mode.state.current() ?? { mode: services.mode.mode(), reason: 'default', setupComplete: false },
    'setup.complete': () => services.mode.completeSetup(),
    'system.restart': () => restart(services.power),
    'recovery.restart': () => restart(services.power),
    'update.status': () => services.updates.snapshot(),
    'update.check': () => services.updates.check(),
    'update.download': () => services.updates.startDownloadCall(),
    'update.pause': () => services.updates.pause(),
    'update.resume': () => services.updates.resume(),
    'update.install': () => services.updates.install(),
    'update.restart': async () => {
      await services.updates.restartIntoUpdate();
      return { restarting: true as const };
    },
    'update.rollback': async ({ version }) => {
      await services.updates.rollback(version);
      return { restarting: true as const };
    },
    'update.settings': (change) => services.updates.updateSettings(change),
    'update.history': () => services.updates.history(),
  };
}

function restart(power: PowerControl | undefined): { restarting: true } {
  if (!power) throw new AppError('NOT_SUPPORTED', 'This device profile cannot restart itself.');
  // Answer first: the restart takes the connection down with it.
  setTimeout(() => void power.reboot(), 100);
  return { restarting: true };
}
