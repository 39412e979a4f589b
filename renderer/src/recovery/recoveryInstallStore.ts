import { create } from 'zustand';
import type { RecoveryInstallState } from '../../../src/api/contract/recovery.js';

/** A recovery install's state as headsetd pushes it (recovery.installChanged), kept whatever screen shows. */
export interface RecoveryInstallStore {
  state?: RecoveryInstallState;
}

export const useRecoveryInstallStore = create<RecoveryInstallStore>(() => ({}));
