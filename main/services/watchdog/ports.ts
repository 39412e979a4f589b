/** A hardware watchdog: restarts the machine unless petted within its timeout. */
export interface WatchdogDevice {
  pet(): Promise<void>;
  /** A clean stop (the magic close on Linux): the machine is shutting down on purpose. */
  release(): Promise<void>;
}
