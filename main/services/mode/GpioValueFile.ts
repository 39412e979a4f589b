import { readFile } from 'node:fs/promises';
import type { RecoveryButton } from './ports.js';

/**
 * A button read from a sysfs-style GPIO `value` file ("1" = held; active-low lines are inverted).
 * The simulated device keeps one under its root.
 */
export class GpioValueFile implements RecoveryButton {
  constructor(
    private readonly path: string,
    private readonly activeLow = false,
  ) {}

  async isHeld(): Promise<boolean> {
    const value = (await readFile(this.path, 'utf8').catch(() => '0')).trim();
    return (value === '1') !== this.activeLow;
  }
}
