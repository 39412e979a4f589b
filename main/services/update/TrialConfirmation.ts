import type { BootControl } from '../boot/ports.js';
import { errorMessage } from '../../../src/errorText.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { BootOutcome, Installer } from './Installer.js';

/** Proves headsetd answers (its API over a transport); throws when it does not. */
export type ReachabilityCheck = () => Promise<void>;

/**
 * The last check of a trial boot: the installer found the slot's images and services sound
 * ('trial-healthy'); the slot commits only once headsetd is up and its API reachable. A check
 * that fails leaves the trial uncommitted and reboots, so the bootloader's tries run out.
 *
 *   boot ─trial-healthy─> waiting ─check ok─> committed
 *                            └──check fails─> not committed, reboot
 */
export class TrialConfirmation {
  private check: ReachabilityCheck | undefined;
  private waiting = false;

  constructor(
    private readonly parts: {
      installer: Installer;
      boot: BootControl;
      /** Restarts the headset (the same path as a trial that failed its own checks). */
      rebootAfterFailedTrial: () => void;
      log: SubsystemLogger;
    },
  ) {}

  /** After every boot: a healthy trial waits for the check, run at once when one is known (a power cycle). */
  async afterBoot(outcome: BootOutcome): Promise<BootOutcome> {
    this.waiting = outcome === 'trial-healthy';
    return this.waiting && this.check ? this.confirm(this.check) : outcome;
  }

  /** Sets the check for this and later boots, and runs it for a trial waiting on it. */
  async confirmWith(check: ReachabilityCheck): Promise<BootOutcome> {
    this.check = check;
    return this.waiting ? this.confirm(check) : 'none';
  }

  private async confirm(check: ReachabilityCheck): Promise<BootOutcome> {
    this.waiting = false;
    try {
      await check();
    } catch (error) {
      this.parts.log.warn('trial boot is not healthy (headsetd not reachable): not committing', { reason: errorMessage(error) });
      this.parts.rebootAfterFailedTrial();
      return 'trial-failed';
    }
    const outcome = await this.parts.installer.commitTrial();
    await this.parts.boot.reload();
    return outcome;
  }
}
