import type { ApiClient } from '../../../src/api/client.js';
import { useModeStore } from './modeStore.js';

/** Mirrors the pushed mode (`mode.changed`) into the mode store. */
export function bindModeStore(client: ApiClient): void {
  client.subscribe('mode.changed', (state) => useModeStore.setState({ state }));
}
