/** The physical recovery button (a GPIO line). */
export interface RecoveryButton {
  isHeld(): Promise<boolean>;
}

/** Restarting the device: a real reboot on Linux, a simulated power cycle on the simulated device. */
export interface PowerControl {
  reboot(): Promise<void>;
}
