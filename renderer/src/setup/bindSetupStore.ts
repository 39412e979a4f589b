import type { ApiClient } from '../../../src/api/client.js';
import { setFormatLocale } from '../design/format.js';
import { useSetupStore } from './setupStore.js';

/** Mirrors the setup journal (`setup.changed`) and writes dates and numbers in the formats chosen there. */
export function bindSetupStore(client: ApiClient): void {
  client.subscribe('setup.changed', (progress) => {
    setFormatLocale(progress.entered.locale ?? undefined);
    useSetupStore.setState({ progress });
  });
}
