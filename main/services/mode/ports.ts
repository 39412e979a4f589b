import type { Mode, ModeState } from '../../../src/api/contract.js';

/** The physical recovery button (a GPIO line). */
export interface RecoveryButton {
  isHeld(): Promise<boolean>;
}

/** What the boot sequence asks of the mode: decide this boot's mode (button, bootloader, first run). */
export interface ModeAtBoot {
  resolveAtBoot(options: { requested?: Mode; bootloaderRecovery: boolean }): Promise<ModeState>;
  mode(): Mode;
}
