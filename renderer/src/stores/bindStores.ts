import type { ApiClient } from '../../../src/api/client.js';
import { useBootStore } from './bootStore.js';
import { useConnectionStore } from './connectionStore.js';
import { useDeviceStore } from './deviceStore.js';
import { useHealthStore } from './healthStore.js';
import { useModeStore } from './modeStore.js';

/** Mirrors the services' pushed state into the stores: one subscription per capability. */
export async function bindStores(client: ApiClient): Promise<void> {
  client.onClose(() => useConnectionStore.setState({ status: 'disconnected', reason: 'The connection to the headset closed.' }, true));
  client.subscribe('mode.changed', (state) => useModeStore.setState({ state }));
  client.subscribe('boot.changed', (status) => useBootStore.setState({ status }));
  client.subscribe('health.changed', (snapshot) => useHealthStore.getState().push(snapshot));
  const [info, identity] = await Promise.all([client.call('system.info'), client.call('identity.get')]);
  useDeviceStore.setState({ info, identity });
  useConnectionStore.setState({ status: 'connected' }, true);
}
