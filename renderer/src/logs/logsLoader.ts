import { ApiError, type ApiClient } from '../../../src/api/client.js';
import { filterOf, LOG_RANGES, useLogsStore, type Problem } from './logsStore.js';

const PAGE = 100;

function problemOf(error: unknown): Problem {
  return error instanceof ApiError
    ? { code: error.code, message: error.message }
    : { message: error instanceof Error ? error.message : String(error) };
}

/**
 * Reads what the Logs screen shows into the logs store. Entries and the summary each count their
 * requests: an answer (or an error) for a filter or range no longer shown is dropped, so it can
 * neither replace nor clear what belongs to the newer one. The summary has its own state, apart
 * from the entries' `problem`.
 */
export class LogsLoader {
  private entriesRequest = 0;
  private summaryRequest = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new filter: what is under way for the old one no longer counts. Returns the request's id. */
  beginEntries(): number {
    useLogsStore.setState({ loading: true, loadingOlder: false, problem: undefined });
    return ++this.entriesRequest;
  }

  /** The first page of entries for the current filter, as request `id`. */
  async loadEntries(id: number): Promise<void> {
    try {
      const page = await this.client.call('logs.query', { ...filterOf(useLogsStore.getState(), this.now()), limit: PAGE });
      if (id === this.entriesRequest)
        useLogsStore.setState({ entries: page.entries, nextCursor: page.nextCursor, scanned: page.scanned, loading: false });
    } catch (error) {
      if (id === this.entriesRequest) useLogsStore.setState({ loading: false, problem: problemOf(error) });
    }
  }

  /** The next (older) page, appended; shown as "Loading older…" while under way. */
  async loadOlder(): Promise<void> {
    const state = useLogsStore.getState();
    if (!state.nextCursor || state.loading || state.loadingOlder) return;
    const id = this.entriesRequest;
    useLogsStore.setState({ loadingOlder: true });
    try {
      const page = await this.client.call('logs.query', { ...filterOf(state, this.now()), limit: PAGE, before: state.nextCursor });
      if (id === this.entriesRequest)
        useLogsStore.setState((s) => ({ entries: [...s.entries, ...page.entries], nextCursor: page.nextCursor, loadingOlder: false }));
    } catch (error) {
      // An answer for a filter no longer shown says nothing about the one that is.
      if (id === this.entriesRequest) useLogsStore.setState({ loadingOlder: false, problem: problemOf(error) });
    }
  }

  /** Summary and health history of the current range, ending now. */
  async loadSummary(): Promise<void> {
    const id = ++this.summaryRequest;
    const rangeMs = LOG_RANGES.find((r) => r.id === useLogsStore.getState().range)!.ms;
    const since = new Date(this.now() - rangeMs).toISOString();
    // A summary of another range must not stand for this one while it loads.
    useLogsStore.setState({ summaryState: { status: 'loading' } });
    const summary = this.client.call('logs.summary', { since, bucketCount: 48 }).then(
      (result) => id === this.summaryRequest && useLogsStore.setState({ summaryState: { status: 'ready', summary: result } }),
      (error: unknown) => id === this.summaryRequest && useLogsStore.setState({ summaryState: { status: 'failed', problem: problemOf(error) } }),
    );
    const history = this.client.call('health.history', { since, limit: 2000 }).then(
      (result) => id === this.summaryRequest && useLogsStore.setState({ history: result }),
      () => undefined, // the charts keep what they had; the rest of the screen still works
    );
    await Promise.all([summary, history]);
  }

  /** The entries the filters select, to the USB stick. */
  async exportToUsb(): Promise<void> {
    useLogsStore.setState({ exportState: { status: 'exporting' } });
    try {
      const result = await this.client.call('logs.export', filterOf(useLogsStore.getState(), this.now()));
      useLogsStore.setState({ exportState: { status: 'done', result } });
    } catch (error) {
      useLogsStore.setState({ exportState: { status: 'failed', problem: problemOf(error) } });
    }
  }
}
