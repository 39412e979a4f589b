import { readFile } from 'node:fs/promises';
import { SLOT_NAMES, type BootSlot } from '../../../src/boot/bootSelection.js';
import type { BootedSystem, BootedSystemSource } from './ports.js';

/**
 * Reads what the boot script put on the kernel command line (`headset.slot=A headset.recovery=1`)
 * and the kernel's boot id. On a device these are `/proc/cmdline` and
 * `/proc/sys/kernel/random/boot_id`; the simulated firmware writes the same two files.
 */
export class KernelCommandLine implements BootedSystemSource {
  constructor(
    private readonly cmdlinePath = '/proc/cmdline',
    private readonly bootIdPath = '/proc/sys/kernel/random/boot_id',
  ) {}

  async read(): Promise<BootedSystem> {
    const cmdline = (await readFile(this.cmdlinePath, 'utf8')).trim();
    const params = new Map(
      cmdline
        .split(/\s+/)
        .filter(Boolean)
        .map((word) => {
          const eq = word.indexOf('=');
          return eq < 0 ? [word, ''] : [word.slice(0, eq), word.slice(eq + 1)];
        }),
    );
    const slot = params.get('headset.slot');
    if (!slot || !(SLOT_NAMES as readonly string[]).includes(slot)) {
      throw new Error(`The kernel command line names no slot (headset.slot=A|B): ${this.cmdlinePath}`);
    }
    const bootId = (await readFile(this.bootIdPath, 'utf8')).trim();
    const recovery = params.get('headset.recovery') === '1';
    // A recovery the bootloader named no reason for is the one it always had: no slot left to try.
    const recoveryReason = recovery ? (params.get('headset.recovery_reason') === 'requested' ? 'requested' : 'slots-failed') : undefined;
    return { slot: slot as BootSlot, recovery, ...(recoveryReason ? { recoveryReason } : {}), bootId };
  }
}
