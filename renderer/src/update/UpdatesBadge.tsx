import { useUpdateStore } from './updateStore.js';

/** A dot on the Updates entry of the navigation while an update waits for the wearer. */
export function UpdatesBadge() {
  const status = useUpdateStore((s) => s.status?.state.status);
  const waiting = status === 'available' || status === 'downloaded' || status === 'ready-to-reboot' || status === 'failed';
  return waiting ? (
    <span className={`rail-dot ${status === 'failed' ? 'danger' : ''}`} data-testid="updates-badge" title="An update needs you" aria-hidden="true" />
  ) : null;
}
