import { create } from 'zustand';
import type { LockState, LockStatus } from '../../../src/api/contract.js';

/**
 * The device lock: as headsetd pushes it (`lock.changed`: whether a PIN is set, the wait after wrong
 * PINs), and as this connection sees it (`lock.status` and every lock call's answer: unlocked or not).
 */
export interface LockStoreState {
  state?: LockState;
  status?: LockStatus;
  /** When `status` arrived (Date.now()): its durations count from there. */
  statusAt?: number;
  setStatus(status: LockStatus): void;
}

export const useLockStore = create<LockStoreState>((set) => ({
  setStatus: (status) => set({ status, statusAt: Date.now() }),
}));
