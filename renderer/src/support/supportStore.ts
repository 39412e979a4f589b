import { create } from 'zustand';
import type { SupportStatus } from '../../../src/api/contract.js';

/**
 * Remote support as headsetd pushes it (`support.changed`): the session, who, since when, the
 * tunnel's state. `at` is when it arrived (Date.now()): the durations in it count from there.
 */
export interface SupportStoreState {
  status?: SupportStatus;
  at?: number;
  setStatus(status: SupportStatus): void;
}

export const useSupportStore = create<SupportStoreState>((set) => ({
  setStatus: (status) => set({ status, at: Date.now() }),
}));
