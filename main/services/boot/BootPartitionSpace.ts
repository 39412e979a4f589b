import { statfs } from 'node:fs/promises';
import type { BootSlot } from '../../../src/boot/bootSelection.js';

/**
 * The boot partition's room, as an install needs it: small, shared by both slots (the GRUB
 * environment; on U-Boot boards, each slot's kernel, initramfs and device tree too), and written
 * by the install when it switches slots. Checked before anything is written (UPDATE_NO_BOOT_SPACE).
 */
export interface BootPartitionSpace {
  /**
   * Bytes the install may put in `slot`'s boot files: the free space, plus what that slot's current
   * boot files take (they are replaced), minus what the boot environment's next rewrite needs.
   */
  roomFor(slot: BootSlot): Promise<number>;
}

/** What rewriting the boot environment takes on the boot partition: a GRUB block is replaced with a rename, so a second one exists for a moment; a U-Boot copy is rewritten in place. */
export function environmentRewriteBytes(bootloader: 'grub' | 'uboot'): number {
  return bootloader === 'grub' ? 1024 : 0;
}

/** A device's /boot: statfs's available blocks. This profile keeps no per-slot boot files there (they live in the slot). */
export class StatfsBootPartition implements BootPartitionSpace {
  constructor(
    private readonly mountPoint: string,
    private readonly bootloader: 'grub' | 'uboot',
  ) {}

  async roomFor(): Promise<number> {
    const disk = await statfs(this.mountPoint);
    return disk.bavail * disk.bsize - environmentRewriteBytes(this.bootloader);
  }
}
