import type { ApiClient } from '../../../src/api/client.js';
import { useDeviceStore } from './deviceStore.js';

/** Loads what the software and the device are (`system.info`, `identity.get`): read once, never pushed. */
export async function bindDeviceStore(client: ApiClient): Promise<void> {
  const [info, identity] = await Promise.all([client.call('system.info'), client.call('identity.get')]);
  useDeviceStore.setState({ info, identity });
}
