import { LICENSE_REVOCATIONS_PATH, MAX_REVOCATIONS_BYTES } from '../../../src/licensing/revocationList.js';
import type { RevocationSource } from './ports.js';

/**
 * Where the revocation list is fetched: the fleet server when registration is configured, else a
 * configured URL (https, or http on loopback for tests), else nowhere. The list is signed, so the
 * transport needs no authentication; it is refused when too large.
 */
export function revocationSource(options: { fleetServerUrl?: string; url?: string; timeoutMs?: number }): RevocationSource {
  const target = options.fleetServerUrl
    ? new URL(LICENSE_REVOCATIONS_PATH, withSlash(options.fleetServerUrl))
    : options.url
      ? new URL(options.url)
      : undefined;
  if (!target) return { kind: 'none', fetch: () => Promise.reject(new Error('no revocation list source is configured')) };
  return {
    kind: options.fleetServerUrl ? 'fleet' : 'url',
    async fetch() {
      const answer = await fetch(target, { signal: AbortSignal.timeout(options.timeoutMs ?? 15_000), redirect: 'error' });
      if (!answer.ok) throw new Error(`the source answered HTTP ${answer.status}`);
      const length = Number(answer.headers.get('content-length') ?? 0);
      if (length > MAX_REVOCATIONS_BYTES) throw new Error('the list is too large');
      return await answer.text();
    },
  };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
