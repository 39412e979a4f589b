import type { Mode } from '../../src/api/contract.js';
import type { BootService } from '../services/boot/BootService.js';
import type { ModeService } from '../services/mode/ModeService.js';
import type { BootOutcome, Installer } from '../services/update/Installer.js';

export interface BootParts {
  boot: BootService;
  installer: Installer;
  mode: ModeService;
}

/**
 * What the system does at every boot, after the bootloader chose a slot: learn the boot, let the
 * installer resume or judge an update in flight, pick the mode, then commit the slot, unless it is
 * an unhealthy trial (its tries must run out) or the bootloader asked for recovery.
 */
export async function bootSystem(parts: BootParts, requestedMode?: Mode): Promise<BootOutcome> {
  await parts.boot.load();
  const booted = parts.boot.bootedSystemFacts();
  const outcome = await parts.installer.onBoot();
  await parts.mode.resolveAtBoot({ requested: requestedMode, bootloaderRecovery: booted.recovery });
  // 'committed' was committed by the installer after its trial checks.
  if (!booted.recovery && outcome !== 'trial-failed' && outcome !== 'committed') await parts.boot.commit();
  await parts.boot.reload();
  return outcome;
}
