import { beforeEach, describe, expect, it } from 'vitest';
import type { LogQueryResult, LogSummary } from '../../../src/api/contract.js';
import { AppError } from '../../../src/api/errors.js';
import { createFakeDevice } from '../../../test-support/api/fakeDevice.js';
import { connectHarness } from '../../../test-support/api/harness.js';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import { useLogsStore } from './logsStore.js';
import { LogsLoader } from './logsLoader.js';

const NOW = Date.UTC(2026, 2, 1, 12);

function record(minutesAgo: number, msg: string): LogRecord {
  return {
    time: new Date(NOW - minutesAgo * 60_000).toISOString(),
    level: 'error',
    subsystem: 'update',
    msg,
    version: '1.0.0',
    commit: 'c',
    bootId: 'b',
    seq: 1000 - minutesAgo,
  };
}

/** An answer the test releases (or fails) when it chooses. */
function gate<T>() {
  let release!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return { promise, release, fail };
}

const until = (check: () => boolean) => expect.poll(check, { timeout: 2000, interval: 5 }).toBe(true);

describe('LogsLoader', () => {
  beforeEach(() =>
    useLogsStore.setState({
      levels: [],
      subsystems: [],
      range: '24h',
      text: '',
      entries: [],
      nextCursor: null,
      loading: false,
      loadingOlder: false,
      problem: undefined,
      summaryState: { status: 'loading' },
      history: [],
    }),
  );

  it('a failed summary is told in the summary panels and outlives a later entries answer', async () => {
    const device = createFakeDevice({ overrides: { 'logs.summary': () => Promise.reject(new AppError('INTERNAL', 'the log folder is gone')) } });
    device.logRecords.push(record(5, 'install failed'));
    const loader = new LogsLoader(connectHarness({ device }).client, () => NOW);
    await loader.loadSummary();
    await loader.loadEntries(loader.beginEntries());
    const state = useLogsStore.getState();
    expect(state.summaryState).toEqual({ status: 'failed', problem: { code: 'INTERNAL', message: 'the log folder is gone' } });
    expect(state.problem).toBeUndefined();
    expect(state.entries.map((e) => e.msg)).toEqual(['install failed']);
  });

  it('a new range drops the old summary at once, and a late answer for the old range does not come back', async () => {
    const answers: ReturnType<typeof gate<LogSummary>>[] = [];
    const device = createFakeDevice({ overrides: { 'logs.summary': () => (answers.push(gate<LogSummary>()), answers.at(-1)!.promise) } });
    const loader = new LogsLoader(connectHarness({ device }).client, () => NOW);
    const summaryOf = (since: string): LogSummary => ({
      since,
      until: new Date(NOW).toISOString(),
      bucketMs: 60_000,
      entries: 0,
      malformed: 0,
      timeline: [],
      topTemplates: [],
      anomalies: [],
      insights: [],
    });

    const day = loader.loadSummary();
    await until(() => answers.length === 1);
    answers[0]!.release(summaryOf('day'));
    await day;
    expect(useLogsStore.getState().summaryState).toMatchObject({ status: 'ready', summary: { since: 'day' } });

    useLogsStore.getState().setRange('1h');
    const hour = loader.loadSummary();
    expect(useLogsStore.getState().summaryState).toEqual({ status: 'loading' });
    useLogsStore.getState().setRange('7d');
    const week = loader.loadSummary();
    await until(() => answers.length === 3);
    answers[2]!.release(summaryOf('week'));
    await week;
    answers[1]!.release(summaryOf('hour'));
    await hour;
    expect(useLogsStore.getState().summaryState).toMatchObject({ status: 'ready', summary: { since: 'week' } });
  });

  it('"Show older entries" is busy while it loads, and its error for an old filter does not land on the new one', async () => {
    const older = gate<LogQueryResult>();
    const device = createFakeDevice({
      overrides: {
        'logs.query': (input) =>
          input.before
            ? older.promise
            : {
                entries: [record(1, 'newest')],
                truncated: true,
                nextCursor: `${new Date(NOW - 60_000).toISOString()}|999|b`,
                scanned: 3,
                malformed: 0,
              },
      },
    });
    const loader = new LogsLoader(connectHarness({ device }).client, () => NOW);
    await loader.loadEntries(loader.beginEntries());
    expect(useLogsStore.getState().nextCursor).not.toBeNull();

    const loading = loader.loadOlder();
    expect(useLogsStore.getState().loadingOlder).toBe(true);
    // The person picks another filter while the older page is under way; then that page fails.
    useLogsStore.getState().toggleLevel('warn');
    const fresh = loader.beginEntries();
    older.fail(new AppError('INTERNAL', 'read error'));
    await loading;
    expect(useLogsStore.getState()).toMatchObject({ problem: undefined, loadingOlder: false });
    await loader.loadEntries(fresh);
    expect(useLogsStore.getState()).toMatchObject({ problem: undefined, loading: false });
  });

  it('an older page for the current filter is appended', async () => {
    const device = createFakeDevice({
      overrides: {
        'logs.query': (input) =>
          input.before
            ? { entries: [record(30, 'older')], truncated: false, nextCursor: null, scanned: 3, malformed: 0 }
            : {
                entries: [record(1, 'newest')],
                truncated: true,
                nextCursor: `${new Date(NOW - 60_000).toISOString()}|999|b`,
                scanned: 3,
                malformed: 0,
              },
      },
    });
    const loader = new LogsLoader(connectHarness({ device }).client, () => NOW);
    await loader.loadEntries(loader.beginEntries());
    await loader.loadOlder();
    expect(useLogsStore.getState()).toMatchObject({ loadingOlder: false, nextCursor: null });
    expect(useLogsStore.getState().entries.map((e) => e.msg)).toEqual(['newest', 'older']);
  });
});
