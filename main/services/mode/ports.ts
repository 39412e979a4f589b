import type { Mode, ModeState } from '../../../src/api/contract.js';

/** The physical recovery button (a GPIO line). */
export interface RecoveryButton {
  isHeld(): Promise<boolean>;
}

/** Whether a factory reset's transaction is journaled and not finished (the reset capability's journal). */
export interface PendingReset {
  pending(): Promise<boolean>;
}

/** What the bootloader said about this boot: recovery or not, and why. */
export interface BootloaderRecovery {
  bootloaderRecovery: boolean;
  /** `requested`: the running system asked for it (Restart into recovery); else no slot had tries left. */
  recoveryReason?: 'slots-failed' | 'requested';
}

/** What the boot sequence asks of the mode: decide this boot's mode (button, bootloader, first run). */
export interface ModeAtBoot {
  resolveAtBoot(options: { requested?: Mode } & BootloaderRecovery): Promise<ModeState>;
  mode(): Mode;
}
