import { create } from 'zustand';
import type { NetworkStatus } from '../../../src/api/contract.js';

/** The headset's network as headsetd pushes it (`network.changed`): online, metered or offline. */
export interface NetworkStoreState {
  status?: NetworkStatus;
}

export const useNetworkStore = create<NetworkStoreState>(() => ({}));
