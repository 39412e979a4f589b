import { useState } from 'react';
import type { PrivacyStatus } from '../../../src/api/contract.js';
import { ApiError } from '../../../src/api/client.js';
import { useClient } from '../api/clientContext.js';

/** Sends a consent decision for the policy version shown; tracks progress and a readable error. */
export function usePrivacyDecision() {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const send = async (
    status: PrivacyStatus,
    granted: Partial<Record<PrivacyStatus['categories'][number]['id'], boolean>>,
  ): Promise<PrivacyStatus | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await client.call('privacy.set', { policyVersion: status.policyVersion, granted });
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : e instanceof Error ? e.message : String(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { send, busy, error };
}
