import { create } from 'zustand';
import type { PrivacyStatus } from '../../../src/api/contract.js';

/** The telemetry consent as headsetd pushes it (`privacy.changed`). */
export interface PrivacyStoreState {
  status?: PrivacyStatus;
}

export const usePrivacyStore = create<PrivacyStoreState>(() => ({}));
