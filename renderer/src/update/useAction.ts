import { useCallback, useState } from 'react';
import { ApiError, type ApiClient } from '../../../src/api/client.js';
import { useClient } from '../api/clientContext.js';

export interface Problem {
  code?: string;
  message: string;
}

export function toProblem(error: unknown): Problem {
  return error instanceof ApiError
    ? { code: error.code, message: error.message }
    : { message: error instanceof Error ? error.message : String(error) };
}

/**
 * Runs the wearer's actions one at a time: which one is running (to disable its button and say so)
 * and the error of the last one, as the service returned it.
 */
export function useAction() {
  const client = useClient();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<Problem>();
  const run = useCallback(
    async (name: string, action: (client: ApiClient) => Promise<unknown>): Promise<boolean> => {
      setBusy(name);
      setError(undefined);
      try {
        await action(client);
        return true;
      } catch (e) {
        setError(toProblem(e));
        return false;
      } finally {
        setBusy(undefined);
      }
    },
    [client],
  );
  return { busy, error, run, clearError: useCallback(() => setError(undefined), []) };
}
