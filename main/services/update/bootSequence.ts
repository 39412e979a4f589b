import type { Mode } from '../../../src/api/contract.js';
import type { BootControl } from '../boot/ports.js';
import type { ModeAtBoot } from '../mode/ports.js';
import type { BootOutcome, Installer } from './Installer.js';

export interface BootParts {
  boot: BootControl;
  installer: Installer;
  mode: ModeAtBoot;
}

export interface BootSystemOptions {
  /**
   * headsetd: a healthy trial ('trial-healthy') is left uncommitted, for TrialConfirmation to commit
   * once the API answers. Without it (the boot alone, no API to reach) the trial commits here.
   */
  confirmTrialLater?: boolean;
}

/**
 * What the system does at every boot, after the bootloader chose a slot: learn the boot, let the
 * installer resume or judge an update in flight, pick the mode, then commit the slot, unless it is
 * an unhealthy trial (its tries must run out), a trial still to confirm, or the bootloader asked
 * for recovery.
 */
export async function bootSystem(parts: BootParts, requestedMode?: Mode, options: BootSystemOptions = {}): Promise<BootOutcome> {
  await parts.boot.load();
  const booted = parts.boot.bootedSystemFacts();
  let outcome = await parts.installer.onBoot();
  await parts.mode.resolveAtBoot({ requested: requestedMode, bootloaderRecovery: booted.recovery, recoveryReason: booted.recoveryReason });
  // A trial commits through the installer alone, after its checks (and headsetd's, when confirmed later).
  if (outcome === 'trial-healthy' && !options.confirmTrialLater) outcome = await parts.installer.commitTrial();
  else if (!booted.recovery && outcome !== 'trial-failed' && outcome !== 'trial-healthy' && outcome !== 'committed') await parts.boot.commit();
  await parts.boot.reload();
  return outcome;
}
