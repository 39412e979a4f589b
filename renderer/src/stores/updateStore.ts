import { create } from 'zustand';
import type { UpdateHistoryEntry, UpdateState, UpdateStatus } from '../../../src/api/contract.js';

/** The update service's pushed status (`update.changed`), and its history of installs and rollbacks. */
export interface UpdateStoreState {
  status?: UpdateStatus;
  /** Newest first, as `update.history` returns it; undefined until loaded. */
  history?: UpdateHistoryEntry[];
}

export const useUpdateStore = create<UpdateStoreState>(() => ({}));

/** States an operation ends in: the history may have a new entry once one is reached. */
const FINAL: ReadonlySet<UpdateState['status']> = new Set(['unconfigured', 'idle', 'up-to-date', 'available', 'ready-to-reboot', 'failed']);

/**
 * Whether `next` may come with a history the store does not have yet: the first status, a new final
 * state, or a restart into another system (a commit, an automatic or a manual rollback).
 */
export function historyMayHaveChanged(previous: UpdateStatus | undefined, next: UpdateStatus): boolean {
  if (!previous) return true;
  if (previous.current.slot !== next.current.slot || previous.current.version !== next.current.version) return true;
  return previous.state.status !== next.state.status && FINAL.has(next.state.status);
}
