import type { TelemetryOutboxStatus } from '../../../src/api/contract.js';
import { Meter } from '../design/Meter.js';
import { Panel } from '../design/Panel.js';
import { formatAge, formatBytes } from '../design/format.js';

const WAITING: Record<NonNullable<TelemetryOutboxStatus['waitingFor']>, string> = {
  network: 'Waiting for a network connection.',
  'unmetered-network': 'Bulk data waits for a network that is not metered.',
  retry: 'The receiver asked to wait; sending again soon.',
};

/** What waits on the headset to be sent (read by `useOutboxStatus` while the screen is open). */
export function OutboxPanel({ status, failed }: { status?: TelemetryOutboxStatus; failed: boolean }) {
  if (!status) return <Panel title="Waiting to be sent">{failed ? 'Could not read the queue.' : 'Loading…'}</Panel>;
  const queued = Object.values(status.queued).reduce((a, b) => a + b, 0);
  return (
    <Panel title="Waiting to be sent" className="privacy-outbox">
      <p data-testid="outbox-queued">
        {queued === 0 ? 'Nothing is waiting.' : `${queued} record${queued === 1 ? '' : 's'} waiting`}
        {status.queued.critical > 0 && ` (${status.queued.critical} urgent: deletion requests and crash reports)`}
      </p>
      <Meter
        label="Queue on the headset"
        value={status.queuedBytes}
        max={status.limitBytes}
        display={`${formatBytes(status.queuedBytes)} of ${formatBytes(status.limitBytes)}`}
        warnAt={status.limitBytes * 0.8}
      />
      <p className="muted">
        {status.endpoint
          ? `Sent to ${status.endpoint}. ${status.delivered} delivered${status.lastDeliveryAt ? `, last ${formatAge(status.lastDeliveryAt, Date.now())}` : ''}.`
          : 'No receiver is configured: nothing leaves the headset.'}
        {status.waitingFor && ` ${WAITING[status.waitingFor]}`}
      </p>
      {status.lastError && <p className="muted">Last problem: {status.lastError.message}</p>}
    </Panel>
  );
}
