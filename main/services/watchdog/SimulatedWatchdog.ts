import { writeFile } from 'node:fs/promises';
import type { WatchdogDevice } from './ports.js';

/**
 * The simulated headset's watchdog chip: armed by the firmware at every power-on, it power-cycles
 * the headset when nobody pets it for `timeoutMs`. Each pet is also written to a file (like a
 * sysfs timeleft) so a developer can watch it.
 */
export class SimulatedWatchdog implements WatchdogDevice {
  private timer: NodeJS.Timeout | undefined;
  private expireHandler: () => void = () => undefined;

  constructor(
    readonly timeoutMs: number,
    private readonly statePath: string,
  ) {}

  /** What the chip does when it fires: the simulated profile connects the power cycle. */
  onExpire(handler: () => void): void {
    this.expireHandler = handler;
  }

  /** Power-on: the bootloader starts the watchdog before the system runs. */
  arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.expire(), this.timeoutMs);
    this.timer.unref();
  }

  async pet(): Promise<void> {
    this.timer?.refresh();
    await writeFile(this.statePath, `${new Date().toISOString()} timeout=${this.timeoutMs}ms\n`).catch(() => undefined);
  }

  async release(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expire(): void {
    this.timer = undefined;
    this.expireHandler();
  }
}
