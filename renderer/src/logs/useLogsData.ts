import { useCallback, useEffect, useMemo } from 'react';
import { useClient } from '../api/clientContext.js';
import { useLogsStore } from './logsStore.js';
import { LogsLoader } from './logsLoader.js';

/**
 * Loads what the Logs screen shows: the first page of entries whenever the filter changes, the
 * summary and health history whenever the range changes, both again on Refresh.
 */
export function useLogsData() {
  const client = useClient();
  const loader = useMemo(() => new LogsLoader(client), [client]);
  const { levels, subsystems, range, text, refreshCount } = useLogsStore();

  useEffect(() => {
    const id = loader.beginEntries();
    // Typing waits for a pause; chips answer at once.
    const timer = setTimeout(() => void loader.loadEntries(id), 150);
    return () => clearTimeout(timer);
  }, [loader, levels, subsystems, range, text, refreshCount]);

  useEffect(() => {
    void loader.loadSummary();
  }, [loader, range, refreshCount]);

  const loadOlder = useCallback(() => loader.loadOlder(), [loader]);
  const exportToUsb = useCallback(() => loader.exportToUsb(), [loader]);
  return { loadOlder, exportToUsb };
}
