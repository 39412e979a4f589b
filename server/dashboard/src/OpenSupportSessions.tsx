import { useCallback } from 'react';
import { SUPPORT_API, supportSessionListSchema } from '../../../src/fleet/supportApi.js';
import { api } from './api.js';
import { ago } from './format.js';
import { useLoad } from './useDevices.js';

/** The support sessions open now across the fleet, on the headsets' list; nothing when there are none. */
export function OpenSupportSessions({ onSessionLost }: { onSessionLost: () => void }) {
  const load = useCallback(() => api('GET', SUPPORT_API.open, supportSessionListSchema), []);
  const { data } = useLoad(load, onSessionLost);
  if (!data || data.sessions.length === 0) return null;
  return (
    <section className="card" aria-labelledby="open-support-title" data-testid="open-support-sessions">
      <h2 id="open-support-title">Open support sessions</h2>
      <ul className="pending">
        {data.sessions.map((s) => (
          <li key={s.sessionId} data-session={s.sessionId}>
            <div>
              <a href={`#/devices/${s.deviceId}`} className="mono">
                {s.deviceId}
              </a>
              <div className="hint">
                {s.reason}: by {s.openedBy} {ago(s.openedAt)}, until {new Date(s.expiresAt).toLocaleTimeString()},{' '}
                {s.deliveredAt ? 'picked up by the headset' : 'waiting for the headset to check in'}
              </div>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
