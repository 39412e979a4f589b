import { create } from 'zustand';
import type { ResetState } from '../../../src/api/contract/reset.js';

/** The reset transaction's state as headsetd pushes it (reset.changed): an erase under way shows on any screen. */
export interface ResetStore {
  state?: ResetState;
}

export const useResetStore = create<ResetStore>(() => ({}));
