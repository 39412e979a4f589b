import { create } from 'zustand';
import type { RegistrationStatus } from '../../../src/api/contract.js';

/** The fleet registration as headsetd pushes it (`registration.changed`). */
export interface RegistrationStoreState {
  status?: RegistrationStatus;
}

export const useRegistrationStore = create<RegistrationStoreState>(() => ({}));
