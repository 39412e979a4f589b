import type { ApiClient } from '../../../src/api/client.js';
import { historyMayHaveChanged, useUpdateStore } from './updateStore.js';

/** Mirrors the pushed update status (`update.changed`) into the update store, and keeps its history loaded. */
export function bindUpdateStore(client: ApiClient): void {
  // History is read, not pushed: reload it when an update operation ends or another system runs.
  let historyRequest = 0;
  const loadHistory = () => {
    const request = ++historyRequest;
    client.call('update.history').then(
      (history) => request === historyRequest && useUpdateStore.setState({ history }),
      () => undefined, // A closed connection says so on its own; the last history stays shown.
    );
  };
  client.subscribe('update.changed', (status) => {
    const previous = useUpdateStore.getState().status;
    useUpdateStore.setState({ status });
    if (historyMayHaveChanged(previous, status)) loadHistory();
  });
}
