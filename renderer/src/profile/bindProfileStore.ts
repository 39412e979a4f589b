import type { ApiClient } from '../../../src/api/client.js';
import { setFormatLocale } from '../design/format.js';
import { useProfileStore } from './profileStore.js';

/** Mirrors the wearer's profile (`profile.changed`) and writes dates and numbers in the formats chosen there, on every screen. */
export function bindProfileStore(client: ApiClient): void {
  client.subscribe('profile.changed', (profile) => {
    setFormatLocale(profile.locale ?? undefined);
    useProfileStore.setState({ profile });
  });
}
