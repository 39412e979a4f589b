import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BootSlot } from '../../../src/boot/bootSelection.js';
import type { SlotPartitions } from '../update/ports.js';
import type { SimulatedDeviceLayout } from './SimulatedDeviceLayout.js';

/**
 * The simulated headset's slots: a root file system partition each and, when the device has a boot
 * partition of `bootPartitionBytes`, each slot's boot image as a file on it (`boot`).
 */
export class SimulatedSlotPartitions implements SlotPartitions {
  constructor(
    private readonly layout: SimulatedDeviceLayout,
    private readonly slotSizeBytes: number,
    private readonly bootPartitionBytes?: number,
  ) {}

  partition(slot: BootSlot, name: string): { path: string; size: number } | undefined {
    if (name === 'rootfs') return { path: this.layout.slotImage(slot), size: this.slotSizeBytes };
    if (name === 'boot' && this.bootPartitionBytes !== undefined) return { path: this.layout.bootImage(slot), size: this.bootPartitionBytes };
    return undefined;
  }

  sizes(): Record<string, number> {
    return this.bootPartitionBytes === undefined ? { rootfs: this.slotSizeBytes } : { rootfs: this.slotSizeBytes, boot: this.bootPartitionBytes };
  }

  /** A boot image is a file on the shared boot partition: emptied before it is written, so its old bytes free their room. */
  async prepare(slot: BootSlot, name: string): Promise<void> {
    if (name !== 'boot') return;
    const path = this.layout.bootImage(slot);
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'w');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
