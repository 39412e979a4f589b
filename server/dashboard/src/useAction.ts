import { useState } from 'react';
import { ApiError } from './api.js';

/**
 * Runs one operator action at a time: busy while it runs, the server's refusal in words after it,
 * a lost session handed up. Returns whether it went through.
 */
export function useAction(onSessionLost: () => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setProblem(undefined);
    setBusy(true);
    try {
      await action();
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_AUTHENTICATED') onSessionLost();
      else setProblem((e as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, run };
}
