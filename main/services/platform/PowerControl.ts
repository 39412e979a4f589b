/** Restarting the device: a real reboot on Linux, a simulated power cycle on the simulated device. */
export interface PowerControl {
  reboot(): Promise<void>;
}

/**
 * What a capability does around a power cycle that happens inside this process (the simulated
 * headset's reboot: the firmware selects a slot again and the system boots, headsetd running on).
 * On a device a reboot ends the process, and the next start is the power-on.
 */
export interface PowerCycleStep {
  /** Before the power goes (in reverse order of registration). */
  beforeOff?(): void | Promise<void>;
  /** Once the firmware chose a slot (in order of registration: the wiring's dependency order). */
  afterOn?(): Promise<void>;
}

/** The device's power as the wiring sees it: reboot, and the steps of an in-process power cycle. */
export interface DevicePower extends PowerControl {
  onPowerCycle(step: PowerCycleStep): void;
}
