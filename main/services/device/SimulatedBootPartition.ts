import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BootSlot } from '../../../src/boot/bootSelection.js';
import { environmentRewriteBytes, type BootPartitionSpace } from '../boot/BootPartitionSpace.js';
import type { SimulatedDeviceLayout } from './SimulatedDeviceLayout.js';

/**
 * The simulated headset's boot partition: a folder standing for a small file system of a fixed
 * capacity, whose use is what its files take (the bootloader's environment, each slot's boot image,
 * anything else put there).
 */
export class SimulatedBootPartition implements BootPartitionSpace {
  constructor(
    private readonly layout: SimulatedDeviceLayout,
    private readonly capacityBytes: number,
    private readonly bootloader: 'grub' | 'uboot',
  ) {}

  async roomFor(slot: BootSlot): Promise<number> {
    const used = await sizeOf(this.layout.bootDir);
    const replaced = await stat(this.layout.bootImage(slot)).then(
      (info) => info.size,
      () => 0,
    );
    return this.capacityBytes - used + replaced - environmentRewriteBytes(this.bootloader);
  }
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await sizeOf(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}
