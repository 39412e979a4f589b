import { useEffect, useState } from 'react';

export type Route =
  | { page: 'devices' }
  | { page: 'device'; deviceId: string }
  | { page: 'telemetry' }
  | { page: 'rollouts' }
  | { page: 'tracks' }
  | { page: 'rollout'; rolloutId: string }
  | { page: 'licenses' }
  | { page: 'registration' }
  | { page: 'operators' }
  | { page: 'audit' };

function parse(hash: string): Route {
  if (hash === '#/telemetry') return { page: 'telemetry' };
  if (hash === '#/rollouts') return { page: 'rollouts' };
  if (hash === '#/tracks') return { page: 'tracks' };
  if (hash === '#/licenses') return { page: 'licenses' };
  if (hash === '#/registration') return { page: 'registration' };
  if (hash === '#/operators') return { page: 'operators' };
  if (hash === '#/audit') return { page: 'audit' };
  const rollout = /^#\/rollouts\/([0-9a-fA-F-]{36})$/.exec(hash);
  if (rollout) return { page: 'rollout', rolloutId: rollout[1]!.toLowerCase() };
  const match = /^#\/devices\/([0-9a-fA-F-]{36})$/.exec(hash);
  return match ? { page: 'device', deviceId: match[1]!.toLowerCase() } : { page: 'devices' };
}

/** Pages live in the URL's fragment, so the server only ever serves one document. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parse(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parse(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
