import type { BootStatusSource } from '../boot/ports.js';
import type { Capability } from '../capability.js';
import type { DevicePower } from '../platform/PowerControl.js';
import type { WatchdogDevice } from './ports.js';
import { WatchdogService } from './WatchdogService.js';

/**
 * Pets the hardware watchdog once the boot finished and while the system is healthy, through every
 * power cycle; an orderly stop disarms it, a crash does not. No watchdog, nothing to do.
 */
export function watchdogCapability(needs: {
  watchdog?: { device: WatchdogDevice; petEveryMs: number };
  boot: BootStatusSource;
  power: DevicePower;
}): Capability<void> {
  if (!needs.watchdog) return { provides: undefined };
  const petting = new WatchdogService(needs.watchdog.device, async () => needs.boot.status.current() !== undefined, needs.watchdog.petEveryMs);
  // Registered last: the petting stops first when the power goes and starts once the boot is done.
  needs.power.onPowerCycle({ beforeOff: () => petting.stop(), afterOn: async () => petting.start() });
  return {
    provides: undefined,
    start: async () => petting.start(),
    stop: () => petting.release(),
  };
}
