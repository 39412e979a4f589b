import { useEffect, useState } from 'react';
import type { TelemetryOutboxStatus } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';

const POLL_MS = 5000;

/**
 * What waits on the headset to be sent (`telemetry.outbox`), read while the screen is open and again
 * at once when `revision` changes (a consent change purges the queue and adds deletion requests).
 */
export function useOutboxStatus(revision: unknown): { status?: TelemetryOutboxStatus; failed: boolean } {
  const client = useClient();
  const [status, setStatus] = useState<TelemetryOutboxStatus>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    const load = () =>
      client.call('telemetry.outbox').then(
        (s) => live && (setStatus(s), setFailed(false)),
        () => live && setFailed(true),
      );
    void load();
    const timer = setInterval(load, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, revision]);
  return { status, failed };
}
