import { create } from 'zustand';
import type { TracksStatus } from '../../../src/api/contract.js';

/** Tracks and sessions as headsetd pushes them (`tracks.changed`): recording now, counts. */
export interface TracksStoreState {
  status?: TracksStatus;
}

export const useTracksStore = create<TracksStoreState>(() => ({}));
