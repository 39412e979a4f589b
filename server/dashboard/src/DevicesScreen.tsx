import { useCallback, useState } from 'react';
import { OPERATOR_API, deviceListSchema, type DeviceDecision, type DeviceSummary, type OperatorRole } from '../../../src/fleet/operatorApi.js';
import { api } from './api.js';
import { decide, mayDecide } from './decisions.js';
import { ago } from './format.js';
import { OpenSupportSessions } from './OpenSupportSessions.js';
import { StatusBadge } from './StatusBadge.js';
import { useLoad } from './useDevices.js';

const waiting = (d: DeviceSummary) => d.status === 'pending' || d.keyAwaitingApproval;

/** Every headset, those waiting for a decision first, with accept and reject at hand. */
export function DevicesScreen({ role, onSessionLost }: { role: OperatorRole; onSessionLost: () => void }) {
  const load = useCallback(() => api('GET', OPERATOR_API.devices, deviceListSchema), []);
  const { data, error, reload } = useLoad(load, onSessionLost);
  const [actionError, setActionError] = useState<string>();

  const act = async (deviceId: string, decision: DeviceDecision) => {
    setActionError(undefined);
    try {
      await decide(deviceId, decision);
    } catch (e) {
      setActionError((e as Error).message);
    }
    await reload();
  };

  const devices = data?.devices ?? [];
  const pending = devices.filter(waiting);
  return (
    <>
      <OpenSupportSessions onSessionLost={onSessionLost} />
      <section className="card" aria-labelledby="pending-title">
        <h2 id="pending-title">Waiting for approval</h2>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {actionError && (
          <p className="error" role="alert">
            {actionError}
          </p>
        )}
        {data && pending.length === 0 && <p className="hint">No headset is waiting.</p>}
        {pending.length > 0 && (
          <ul className="pending">
            {pending.map((d) => (
              <li key={d.deviceId} data-device={d.deviceId}>
                <div>
                  <a href={`#/devices/${d.deviceId}`} className="mono">
                    {d.deviceId}
                  </a>
                  <div className="hint">
                    {d.keyAwaitingApproval ? 'Registered a new key (after a factory reset?); its current key keeps working meanwhile.' : 'Registered'}{' '}
                    {ago(d.registeredAt)}
                  </div>
                </div>
                {mayDecide(role) && (
                  <div className="row">
                    <button type="button" onClick={() => void act(d.deviceId, 'accept')}>
                      {d.keyAwaitingApproval ? 'Accept new key' : 'Accept'}
                    </button>
                    <button type="button" className="danger" onClick={() => void act(d.deviceId, 'reject')}>
                      {d.keyAwaitingApproval ? 'Reject new key' : 'Reject'}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="all-title">
        <h2 id="all-title">Headsets</h2>
        {data && devices.length === 0 && <p className="hint">No headset has registered yet.</p>}
        {devices.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>Device</th>
                <th>Status</th>
                <th>Model</th>
                <th>Version</th>
                <th>Groups</th>
                <th>Last seen</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.deviceId}>
                  <td>
                    <a href={`#/devices/${d.deviceId}`} className="mono">
                      {d.deviceId}
                    </a>
                  </td>
                  <td>
                    <StatusBadge status={d.status} keyAwaitingApproval={d.keyAwaitingApproval} />
                  </td>
                  <td>{d.model ?? '—'}</td>
                  <td>{d.appVersion ?? '—'}</td>
                  <td>
                    {d.groupTags.map((t) => (
                      <span key={t} className="tag">
                        {t}
                      </span>
                    ))}
                  </td>
                  <td>{ago(d.lastSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
