import type { DeviceStatus } from '../../../src/fleet/operatorApi.js';

const LABELS: Record<DeviceStatus, string> = {
  pending: 'Waiting for approval',
  accepted: 'Accepted',
  rejected: 'Rejected',
  decommissioned: 'Decommissioned',
};

export function StatusBadge({ status, keyAwaitingApproval }: { status: DeviceStatus; keyAwaitingApproval?: boolean }) {
  return (
    <span className="badges">
      <span className={`badge ${status}`}>{LABELS[status]}</span>
      {keyAwaitingApproval && <span className="badge pending">New key waiting</span>}
    </span>
  );
}
