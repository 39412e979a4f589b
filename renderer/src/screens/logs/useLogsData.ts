import { useCallback, useEffect, useRef } from 'react';
import { ApiError } from '../../../../src/api/client.js';
import { useClient } from '../../api/clientContext.js';
import { filterOf, LOG_RANGES, useLogsStore, type Problem } from '../../stores/logsStore.js';

const PAGE = 100;

function problemOf(error: unknown): Problem {
  return error instanceof ApiError ? { code: error.code, message: error.message } : { message: error instanceof Error ? error.message : String(error) };
}

/**
 * Loads what the Logs screen shows whenever the filter changes: the first page of entries, the
 * summary of the range and the health history. A newer request wins over an older one still under way.
 */
export function useLogsData() {
  const client = useClient();
  const { levels, subsystems, range, text, refreshCount } = useLogsStore();
  const request = useRef(0);

  useEffect(() => {
    const id = ++request.current;
    const filter = filterOf({ levels, subsystems, range, text }, Date.now());
    useLogsStore.setState({ loading: true, loadingOlder: false, problem: undefined });
    // Typing waits for a pause; chips answer at once.
    const timer = setTimeout(() => {
      client.call('logs.query', { ...filter, limit: PAGE }).then(
        (page) => id === request.current && useLogsStore.setState({ entries: page.entries, nextCursor: page.nextCursor, scanned: page.scanned, loading: false }),
        (error: unknown) => id === request.current && useLogsStore.setState({ loading: false, problem: problemOf(error) }),
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [client, levels, subsystems, range, text, refreshCount]);

  useEffect(() => {
    let current = true;
    const rangeMs = LOG_RANGES.find((r) => r.id === range)!.ms;
    const since = new Date(Date.now() - rangeMs).toISOString();
    // A summary of another range must not stand for this one while it loads.
    useLogsStore.setState({ summaryState: { status: 'loading' } });
    client.call('logs.summary', { since, bucketCount: 48 }).then(
      (summary) => current && useLogsStore.setState({ summaryState: { status: 'ready', summary } }),
      (error: unknown) => current && useLogsStore.setState({ summaryState: { status: 'failed', problem: problemOf(error) } }),
    );
    client.call('health.history', { since, limit: 2000 }).then(
      (history) => current && useLogsStore.setState({ history }),
      () => undefined, // the charts stay empty; the rest of the screen still works
    );
    return () => {
      current = false;
    };
  }, [client, range, refreshCount]);

  const loadOlder = useCallback(async () => {
    const state = useLogsStore.getState();
    if (!state.nextCursor || state.loading || state.loadingOlder) return;
    const id = request.current;
    useLogsStore.setState({ loadingOlder: true });
    try {
      const page = await client.call('logs.query', { ...filterOf(state, Date.now()), limit: PAGE, before: state.nextCursor });
      if (id === request.current) useLogsStore.setState((s) => ({ entries: [...s.entries, ...page.entries], nextCursor: page.nextCursor, loadingOlder: false }));
    } catch (error) {
      // An answer for a filter no longer shown says nothing about the one that is.
      if (id === request.current) useLogsStore.setState({ loadingOlder: false, problem: problemOf(error) });
    }
  }, [client]);

  const exportToUsb = useCallback(async () => {
    useLogsStore.setState({ exportState: { status: 'exporting' } });
    try {
      const result = await client.call('logs.export', filterOf(useLogsStore.getState(), Date.now()));
      useLogsStore.setState({ exportState: { status: 'done', result } });
    } catch (error) {
      useLogsStore.setState({ exportState: { status: 'failed', problem: problemOf(error) } });
    }
  }, [client]);

  return { loadOlder, exportToUsb };
}
