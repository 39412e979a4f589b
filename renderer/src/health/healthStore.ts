import { create } from 'zustand';
import type { HealthSnapshot } from '../../../src/api/contract.js';

/** Snapshots kept for the little trend lines on Home (the service keeps the real history). */
export const HEALTH_TREND_LENGTH = 40;

export interface HealthState {
  latest?: HealthSnapshot;
  recent: HealthSnapshot[];
  push(snapshot: HealthSnapshot): void;
}

export const useHealthStore = create<HealthState>((set) => ({
  recent: [],
  push: (snapshot) =>
    set((state) =>
      state.latest?.takenAt === snapshot.takenAt ? state : { latest: snapshot, recent: [...state.recent, snapshot].slice(-HEALTH_TREND_LENGTH) },
    ),
}));
