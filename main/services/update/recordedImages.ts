import type { BootSlot } from '../../../src/boot/bootSelection.js';
import type { SlotRecord } from '../boot/ports.js';
import type { SlotPartitions } from './ports.js';
import { hashSlotPrefix } from './SlotWriter.js';

/** The images a slot record vouches for, by partition: all of them, or (an older record) the rootfs's. */
export function recordedImages(record: SlotRecord): Record<string, { length: number; sha256: string }> {
  return record.images ?? { rootfs: record.image };
}

/**
 * The first partition of `slot` that does not hold exactly the image recorded for it (missing,
 * short or different bytes), or undefined when every one does.
 */
export async function firstDifferingImage(record: SlotRecord, slot: BootSlot, partitions: SlotPartitions): Promise<string | undefined> {
  for (const [name, image] of Object.entries(recordedImages(record))) {
    const partition = partitions.partition(slot, name);
    if (!partition) return name;
    const sha256 = await hashSlotPrefix(partition.path, image.length).catch(() => undefined);
    if (sha256 !== image.sha256) return name;
  }
  return undefined;
}
