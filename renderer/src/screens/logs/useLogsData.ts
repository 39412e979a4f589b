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
  const { levels, subsystems, range, text } = useLogsStore();
  const request = useRef(0);

  useEffect(() => {
    const id = ++request.current;
    const filter = filterOf({ levels, subsystems, range, text }, Date.now());
    useLogsStore.setState({ loading: true, problem: undefined });
    // Typing waits for a pause; chips answer at once.
    const timer = setTimeout(() => {
      client.call('logs.query', { ...filter, limit: PAGE }).then(
        (page) => id === request.current && useLogsStore.setState({ entries: page.entries, nextCursor: page.nextCursor, scanned: page.scanned, loading: false }),
        (error: unknown) => id === request.current && useLogsStore.setState({ loading: false, problem: problemOf(error) }),
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [client, levels, subsystems, range, text]);

  useEffect(() => {
    let current = true;
    const rangeMs = LOG_RANGES.find((r) => r.id === range)!.ms;
    const since = new Date(Date.now() - rangeMs).toISOString();
    client.call('logs.summary', { since, bucketCount: 48 }).then(
      (summary) => current && useLogsStore.setState({ summary }),
      (error: unknown) => current && useLogsStore.setState({ problem: problemOf(error) }),
    );
    client.call('health.history', { since, limit: 2000 }).then(
      (history) => current && useLogsStore.setState({ history }),
      () => undefined, // the charts stay empty; the rest of the screen still works
    );
    return () => {
      current = false;
    };
  }, [client, range]);

  const loadOlder = useCallback(async () => {
    const state = useLogsStore.getState();
    if (!state.nextCursor) return;
    const id = request.current;
    useLogsStore.setState({ loading: true });
    try {
      const page = await client.call('logs.query', { ...filterOf(state, Date.now()), limit: PAGE, before: state.nextCursor });
      if (id === request.current) useLogsStore.setState((s) => ({ entries: [...s.entries, ...page.entries], nextCursor: page.nextCursor, loading: false }));
    } catch (error) {
      useLogsStore.setState({ loading: false, problem: problemOf(error) });
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
