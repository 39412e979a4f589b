import type { PowerControl } from '../mode/ports.js';

/**
 * A reboot of the simulated headset without stopping the process: the firmware's power-on (slot
 * selection) and the system's boot sequence run again, as they would after a real reboot.
 */
export class SimulatedPowerCycle implements PowerControl {
  constructor(private readonly bootSequence: () => Promise<void>) {}

  reboot(): Promise<void> {
    return this.bootSequence();
  }
}
