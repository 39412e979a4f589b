import { create } from 'zustand';
import type { BackupOverview } from '../../../src/api/contract.js';

/** The backup overview as headsetd pushes it (`backup.changed`): places, classes, backups, what runs now. */
export interface BackupStoreState {
  overview?: BackupOverview;
  setOverview(overview: BackupOverview): void;
}

export const useBackupStore = create<BackupStoreState>((set) => ({
  setOverview: (overview) => set({ overview }),
}));
