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
 * Whether `next` may come with a history the store does not have yet: the first status, a restart
 * into another system, an operation ending (a move into a final state), or a final status pushed
 * again unchanged: the service pushes its status once more after writing an entry (a trial's commit
 * or rollback is recorded after the boot, when the state is already idle). Progress (checking,
 * downloading, installing) never does, nor a push that only carries new settings.
 */
export function historyMayHaveChanged(previous: UpdateStatus | undefined, next: UpdateStatus): boolean {
  if (!previous) return true;
  if (previous.current.slot !== next.current.slot || previous.current.version !== next.current.version) return true;
  if (!FINAL.has(next.state.status)) return false;
  if (previous.state.status !== next.state.status) return true;
  if (previous.lastCheck !== next.lastCheck) return true;
  // The same final state: read again only on the unchanged push that follows a new entry.
  return sameStatus(previous, next);
}

function sameStatus(a: UpdateStatus, b: UpdateStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The versions to offer under "Go back further": the kept ones, minus the one in the other slot
 * (that one is a plain switch, offered on its own, with no reinstall), newest first as kept.
 * The one being gone back to stays in its place until the restart, although once reinstalled it
 * is the other slot's: its progress lives in its row and must not vanish (nor take the focus along).
 */
export function furtherBackVersions(status: UpdateStatus, going?: string): string[] {
  return status.keptVersions.filter((version) => version === going || (version !== status.current.version && version !== status.rollbackTo?.version));
}

/**
 * Where a reinstall of a kept version stands, read from the pushed state while update.rollback runs:
 *
 *   checking (the repository must still list it) -> installing (bytes into the other slot)
 *     -> restarting (installed; the headset restarts into it)
 */
export type ReinstallPhase = { phase: 'checking' } | { phase: 'installing'; bytes: number; total: number } | { phase: 'restarting' };

export function reinstallPhase(state: UpdateState, version: string): ReinstallPhase {
  if (state.status === 'installing' && state.offer.version === version) return { phase: 'installing', bytes: state.bytes, total: state.total };
  if (state.status === 'ready-to-reboot' && state.version === version) return { phase: 'restarting' };
  return { phase: 'checking' };
}
