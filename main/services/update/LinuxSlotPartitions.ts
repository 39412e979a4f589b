import { readFile, realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import type { BootSlot } from '../../../src/boot/bootSelection.js';
import type { SlotPartitions } from './ports.js';

/**
 * A headset's slot partitions, found by GPT label: `<name>_A` and `<name>_B` under
 * /dev/disk/by-partlabel (e.g. rootfs_A). Sizes come from sysfs (512-byte sectors).
 */
export class LinuxSlotPartitions implements SlotPartitions {
  private constructor(private readonly found: Record<string, number>) {}

  static async discover(names: readonly string[] = ['rootfs']): Promise<LinuxSlotPartitions> {
    const sizes: Record<string, number> = {};
    for (const name of names) {
      const device = basename(await realpath(`/dev/disk/by-partlabel/${name}_A`));
      sizes[name] = Number((await readFile(`/sys/class/block/${device}/size`, 'utf8')).trim()) * 512;
    }
    return new LinuxSlotPartitions(sizes);
  }

  partition(slot: BootSlot, name: string): { path: string; size: number } | undefined {
    const size = this.found[name];
    return size === undefined ? undefined : { path: `/dev/disk/by-partlabel/${name}_${slot}`, size };
  }

  sizes(): Record<string, number> {
    return { ...this.found };
  }
}
