import type { PowerControl } from '../platform/PowerControl.js';

/**
 * A reboot of the simulated headset without stopping the process: the firmware's power-on (slot
 * selection) and the system's boot sequence run again, as they would after a real reboot. A boot
 * that fails, or one abandoned by the watchdog that fails later, is logged: on real hardware it
 * would have died with its power cycle, and it must not take headsetd down with it.
 */
export class SimulatedPowerCycle implements PowerControl {
  constructor(
    private readonly bootSequence: () => Promise<void>,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async reboot(): Promise<void> {
    try {
      await this.bootSequence();
    } catch (error) {
      this.log(`simulated boot failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
