import type { ApiClient } from '../../../src/api/client.js';
import { useBootStore } from './bootStore.js';
import { useConnectionStore } from './connectionStore.js';
import { useDeviceStore } from './deviceStore.js';
import { useHealthStore } from './healthStore.js';
import { useModeStore } from './modeStore.js';
import { usePrivacyStore } from './privacyStore.js';
import { historyMayHaveChanged, useUpdateStore } from './updateStore.js';

/** Mirrors the services' pushed state into the stores: one subscription per capability. */
export async function bindStores(client: ApiClient): Promise<void> {
  client.onClose(() => useConnectionStore.setState({ status: 'disconnected', reason: 'The connection to the headset closed.' }, true));
  client.subscribe('mode.changed', (state) => useModeStore.setState({ state }));
  client.subscribe('boot.changed', (status) => useBootStore.setState({ status }));
  client.subscribe('privacy.changed', (status) => usePrivacyStore.setState({ status }));
  client.subscribe('health.changed', (snapshot) => useHealthStore.getState().push(snapshot));
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
  const [info, identity] = await Promise.all([client.call('system.info'), client.call('identity.get')]);
  useDeviceStore.setState({ info, identity });
  useConnectionStore.setState({ status: 'connected' }, true);
}
