import { create } from 'zustand';
import type { LicenseStatus } from '../../../src/api/contract.js';

/** The licence as headsetd pushes it (`license.changed`). */
export interface LicenseStoreState {
  status?: LicenseStatus;
}

export const useLicenseStore = create<LicenseStoreState>(() => ({}));
