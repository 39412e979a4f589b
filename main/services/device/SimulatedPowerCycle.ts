import { errorMessage } from '../../../src/errorText.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { DevicePower, PowerCycleStep } from '../platform/PowerControl.js';

/**
 * A reboot of the simulated headset without stopping the process: what the capabilities do before
 * the power goes, the firmware's power-on (slot selection), then the system's boot sequence as the
 * capabilities registered it. A boot that fails, or one abandoned by the watchdog that fails later,
 * is logged: on real hardware it would have died with its power cycle, and it must not take
 * headsetd down with it.
 *
 * Switched off, the simulated headset is headsetd gone: what the capabilities do before the power
 * goes, then `switchOff` (headsetd's orderly stop, as at SIGTERM). The device's folder stays as it
 * is; the next start of headsetd is the power-on.
 */
export class SimulatedPowerCycle implements DevicePower {
  private readonly steps: PowerCycleStep[] = [];

  constructor(
    private readonly firmwarePowerOn: () => Promise<void>,
    private readonly log: SubsystemLogger,
    private readonly switchOff: () => void | Promise<void> = () => undefined,
  ) {}

  onPowerCycle(step: PowerCycleStep): void {
    this.steps.push(step);
  }

  async reboot(): Promise<void> {
    try {
      for (const step of [...this.steps].reverse()) await step.beforeOff?.();
      await this.firmwarePowerOn();
      for (const step of this.steps) await step.afterOn?.();
    } catch (error) {
      this.log.error(`simulated boot failed: ${errorMessage(error)}`);
    }
  }

  async powerOff(): Promise<void> {
    this.log.info('simulated power off');
    try {
      for (const step of [...this.steps].reverse()) await step.beforeOff?.();
    } catch (error) {
      this.log.error(`simulated power off: a step before the power went failed: ${errorMessage(error)}`);
    }
    await this.switchOff();
  }
}
