import type { BootSlot } from '../../../src/boot/bootSelection.js';
import type { BootStatus, StateSource } from '../../../src/api/contract.js';

/** The bootloader's variables (GRUB env file, U-Boot env): read and replaced as a whole. */
export interface BootEnvironmentStore {
  read(): Promise<Map<string, string>>;
  write(variables: ReadonlyMap<string, string>): Promise<void>;
}

/** What the bootloader told the running system about this boot (the kernel command line). */
export interface BootedSystem {
  slot: BootSlot;
  recovery: boolean;
  /** Why the bootloader started recovery (headset.recovery_reason): no slot had tries left, or the system asked. */
  recoveryReason?: 'slots-failed' | 'requested';
  bootId: string;
}

export interface BootedSystemSource {
  read(): Promise<BootedSystem>;
}

/** What each slot holds, as recorded by the installer (RAUC keeps the same in its status file). */
export interface SlotRecord {
  version: string;
  installedAt: string;
  /** The image's bytes at the start of the slot: what a health check compares the slot with. */
  image: { length: number; sha256: string };
  /**
   * Every image written into the slot, by partition (`rootfs`, `boot`, ...): the trial checks each.
   * Absent in records written before boot images existed: `image` is then the rootfs's.
   */
  images?: Record<string, { length: number; sha256: string }>;
}
export type SlotRecords = Partial<Record<BootSlot, SlotRecord>>;

export interface SlotRecordStore {
  read(): Promise<SlotRecords>;
  write(records: SlotRecords): Promise<void>;
}

/** This boot's status as other capabilities watch it (the boot id, the slots). */
export interface BootStatusSource {
  readonly status: StateSource<BootStatus>;
  bootedSystemFacts(): BootedSystem;
}

/**
 * The boot as the update lifecycle drives it: learn and commit this boot, prepare and switch
 * slots, read what each slot holds. BootService implements it over the bootloader's environment.
 */
export interface BootControl extends BootStatusSource {
  load(): Promise<BootStatus>;
  commit(): Promise<BootStatus>;
  reload(): Promise<BootStatus>;
  inactiveSlot(): BootSlot;
  markUnbootable(slot: BootSlot): Promise<void>;
  switchToTrial(slot: BootSlot): Promise<void>;
  preferSlot(slot: BootSlot): Promise<void>;
  /** Asks the bootloader for one boot into recovery (RECOVERY=1); the caller restarts. */
  requestRecovery(): Promise<void>;
  slotRecordsStore(): SlotRecordStore;
}
