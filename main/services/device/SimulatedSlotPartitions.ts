import type { BootSlot } from '../../../src/boot/bootSelection.js';
import type { SlotPartitions } from '../update/ports.js';
import type { SimulatedDeviceLayout } from './SimulatedDeviceLayout.js';

/** The simulated headset's slots have one partition each, the root file system. */
export class SimulatedSlotPartitions implements SlotPartitions {
  constructor(
    private readonly layout: SimulatedDeviceLayout,
    private readonly slotSizeBytes: number,
  ) {}

  partition(slot: BootSlot, name: string): { path: string; size: number } | undefined {
    return name === 'rootfs' ? { path: this.layout.slotImage(slot), size: this.slotSizeBytes } : undefined;
  }

  sizes(): Record<string, number> {
    return { rootfs: this.slotSizeBytes };
  }
}
