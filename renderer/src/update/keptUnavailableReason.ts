import type { UpdateStatus } from '../../../src/api/contract.js';

/**
 * Why no kept version can be chosen now, said next to its buttons (Updates screen and recovery
 * kiosk alike); undefined when one can. A reinstall already runs, or another install (or one
 * waiting for its restart) owns the other slot.
 */
export function keptUnavailableReason(status: UpdateStatus, going: string | undefined, calling: boolean): string | undefined {
  if (going !== undefined || calling) return `Not now: going back to ${going ?? 'a kept version'}`;
  if (status.state.status === 'installing') return `Not now: ${status.state.offer.version} is being installed`;
  if (status.state.status === 'ready-to-reboot') return `Not now: ${status.state.version} waits for its restart`;
  return undefined;
}
