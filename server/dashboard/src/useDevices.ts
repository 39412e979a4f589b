import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api.js';

/** Loads something from the API, with reload; a lost session is handed up (the dashboard shows the login again). */
export function useLoad<T>(load: () => Promise<T>, onSessionLost: () => void) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const reload = useCallback(async () => {
    try {
      setData(await load());
      setError(undefined);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_AUTHENTICATED') onSessionLost();
      else setError((e as Error).message);
    }
  }, [load, onSessionLost]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}
