/**
 * Starts and stops the system's services (systemd units on a headset). The installer stops the
 * services an update touches, and those that hold the inactive slot open, before writing the slot,
 * and starts them again after it verified.
 */
export interface ServiceControl {
  stop(unit: string): Promise<void>;
  /** Starting a unit that runs is a no-op, as `systemctl start` is. */
  start(unit: string): Promise<void>;
  /** The units that keep the inactive slot open while they run: always stopped during a write. */
  holdersOfInactiveSlot(): Promise<string[]>;
  /** The units that must run after every boot but do not (failed, stopped): a trial boot with any is not healthy. */
  notRunningAfterBoot(): Promise<string[]>;
}

/** A unit that would not stop or start: the message says which and why (systemctl's own words). */
export class ServiceControlError extends Error {
  constructor(
    readonly unit: string,
    readonly action: 'stop' | 'start',
    reason: string,
  ) {
    super(`${action} ${unit}: ${reason}`);
  }
}
