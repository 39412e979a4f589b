import { useCallback, useState, type FormEvent } from 'react';
import type { OperatorRole } from '../../../src/fleet/operatorApi.js';
import {
  SUPPORT_API,
  SUPPORT_SESSION_MINUTES,
  supportSessionListSchema,
  supportSessionSchema,
  type SupportSession,
} from '../../../src/fleet/supportApi.js';
import { api } from './api.js';
import { ago } from './format.js';
import { useAction } from './useAction.js';
import { useLoad } from './useDevices.js';

const STATE_WORDS: Record<SupportSession['state'], string> = { open: 'Open', closed: 'Closed', expired: 'Ended' };

/**
 * A headset's support sessions on its page: the open one (whether the headset has picked it up at a
 * check-in yet), earlier ones, and for support operators Open (why, how long) and Close.
 */
export function SupportSessionsCard({
  deviceId,
  accepted,
  role,
  onSessionLost,
}: {
  deviceId: string;
  accepted: boolean;
  role: OperatorRole;
  onSessionLost: () => void;
}) {
  const load = useCallback(() => api('GET', SUPPORT_API.deviceSessions(deviceId), supportSessionListSchema), [deviceId]);
  const { data, error, reload } = useLoad(load, onSessionLost);
  const { busy, problem, run } = useAction(onSessionLost);
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState(String(SUPPORT_SESSION_MINUTES.default));
  const mayAct = role !== 'viewer';
  const open = data?.sessions.find((s) => s.state === 'open');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await run(() => api('POST', SUPPORT_API.deviceSessions(deviceId), supportSessionSchema, { reason: reason.trim(), minutes: Number(minutes) })))
      setReason('');
    await reload();
  };
  const close = async (sessionId: string) => {
    await run(() => api('POST', SUPPORT_API.close(deviceId, sessionId), supportSessionSchema, {}));
    await reload();
  };

  return (
    <section className="card" aria-labelledby="support-title" data-testid="support-sessions">
      <h2 id="support-title">Support sessions</h2>
      {(error ?? problem) && (
        <p className="error" role="alert">
          {error ?? problem}
        </p>
      )}
      {open && (
        <div className="row" data-testid="support-open">
          <span>
            Open until {new Date(open.expiresAt).toLocaleTimeString()} through {open.relayName}, by {open.openedBy}: {open.reason}.{' '}
            <span className="hint">
              {open.deliveredAt
                ? `The headset picked it up ${ago(open.deliveredAt)}; the wearer accepts on the headset.`
                : 'Waiting for the headset to check in.'}
            </span>
          </span>
          {mayAct && (
            <button type="button" className="danger" disabled={busy} onClick={() => void close(open.sessionId)}>
              Close the session
            </button>
          )}
        </div>
      )}
      {!open && mayAct && accepted && (
        <form className="rollout-form" onSubmit={(e) => void submit(e)}>
          <label>
            Why
            <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} required placeholder="The wearer called about Wi-Fi" />
          </label>
          <label>
            For (minutes)
            <input
              type="number"
              min={SUPPORT_SESSION_MINUTES.min}
              max={SUPPORT_SESSION_MINUTES.max}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
              required
            />
          </label>
          <button type="submit" disabled={busy}>
            Open a support session
          </button>
        </form>
      )}
      {data && data.sessions.filter((s) => s !== open).length > 0 && (
        <ul className="hint" aria-label="Earlier sessions">
          {data.sessions
            .filter((s) => s !== open)
            .map((s) => (
              <li key={s.sessionId} data-session={s.sessionId}>
                {STATE_WORDS[s.state]}: {s.reason} (by {s.openedBy}, {ago(s.openedAt)}
                {s.closedBy && s.state === 'closed' ? `, closed by ${s.closedBy}` : ''})
              </li>
            ))}
        </ul>
      )}
      {data && data.sessions.length === 0 && !mayAct && <p className="hint">No support session yet.</p>}
    </section>
  );
}
