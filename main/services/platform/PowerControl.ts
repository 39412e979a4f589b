/**
 * Restarting and switching off the device: a real reboot or power-off on Linux; on the simulated
 * device a power cycle inside the process, and an orderly stop of headsetd for "off".
 */
export interface PowerControl {
  reboot(): Promise<void>;
  powerOff(): Promise<void>;
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

/** The device's power as the wiring sees it: reboot, power off, and the steps of an in-process power cycle. */
export interface DevicePower extends PowerControl {
  onPowerCycle(step: PowerCycleStep): void;
}
