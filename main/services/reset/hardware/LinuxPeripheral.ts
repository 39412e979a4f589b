import { access, readlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Peripheral, PeripheralId } from './ports.js';

/** Where a peripheral sits in sysfs: its bus, its driver and its device name (from the device profile). */
export interface SysfsBinding {
  bus: string;
  driver: string;
  device: string;
}

/**
 * A peripheral on a linux headset: the power cycle is the driver's unbind then bind through sysfs
 * (the kernel's own way to reset a device from user space: remove and probe again), its check that
 * the device is bound to its driver again. `sysfs` is /sys on a device, a folder in tests.
 */
export class LinuxPeripheral implements Peripheral {
  constructor(
    readonly id: PeripheralId,
    private readonly binding: SysfsBinding,
    private readonly sysfs = '/sys',
  ) {}

  private get driverDir(): string {
    return join(this.sysfs, 'bus', this.binding.bus, 'drivers', this.binding.driver);
  }

  async powerCycle(): Promise<void> {
    // Unbinding a device not bound fails with ENODEV: it is off already.
    await writeFile(join(this.driverDir, 'unbind'), this.binding.device).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENODEV') throw error;
    });
  }

  async initialize(): Promise<void> {
    await writeFile(join(this.driverDir, 'bind'), this.binding.device);
  }

  async verify(): Promise<{ ok: boolean; detail: string }> {
    const link = join(this.sysfs, 'bus', this.binding.bus, 'devices', this.binding.device, 'driver');
    const target = await readlink(link).catch(() => undefined);
    if (!target) return { ok: false, detail: `${this.binding.device} has no driver bound` };
    if (basename(target) !== this.binding.driver) return { ok: false, detail: `${this.binding.device} bound to ${basename(target)}` };
    const bound = await access(join(this.driverDir, this.binding.device)).then(
      () => true,
      () => false,
    );
    return bound
      ? { ok: true, detail: `bound to ${this.binding.driver}` }
      : { ok: false, detail: `${this.binding.driver} does not list ${this.binding.device}` };
  }
}
