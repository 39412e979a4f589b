import type { BootSlot } from '../../../src/boot/bootSelection.js';

/** Where each partition of each slot is, and how big: block devices on a headset, files when simulated. */
export interface SlotPartitions {
  partition(slot: BootSlot, name: string): { path: string; size: number } | undefined;
  /** Every partition name with its size (the same in both slots). */
  sizes(): Record<string, number>;
  /** Called before an image is written: a partition that is a file on a shared file system is emptied first. */
  prepare?(slot: BootSlot, name: string): Promise<void>;
}
