import { create } from 'zustand';
import type { NetworkOverview, NetworkStatus, SavedNetwork, NetworkScan } from '../../../src/api/contract.js';

/**
 * The headset's network as headsetd pushes it: online, metered or offline (`network.changed`), the
 * whole picture (`network.overviewChanged`: mode, Wi-Fi joined, Ethernet, hotspot, a join under way),
 * and what the Network screen last read (the scan, the saved networks). Nothing here is ever a
 * password: the hotspot's generated one lives only in the hotspot panel's own state while shown.
 */
export interface NetworkStoreState {
  status?: NetworkStatus;
  overview?: NetworkOverview;
  scan?: NetworkScan;
  saved?: SavedNetwork[];
  setOverview(overview: NetworkOverview): void;
  setScan(scan: NetworkScan): void;
  setSaved(saved: SavedNetwork[]): void;
}

export const useNetworkStore = create<NetworkStoreState>((set) => ({
  setOverview: (overview) => set({ overview, status: overview.status }),
  setScan: (scan) => set({ scan }),
  setSaved: (saved) => set({ saved }),
}));
