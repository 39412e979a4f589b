import { useCallback, useEffect, useState } from 'react';
import type { OperatorRole } from '../../../src/fleet/operatorApi.js';
import { UPDATE_API, rolloutDetailSchema, rolloutSchema, type RolloutAction, type RolloutDetail } from '../../../src/fleet/updateApi.js';
import { api } from './api.js';
import { ago } from './format.js';
import { RolloutProgressChart, STATUS_LABELS } from './RolloutProgressChart.js';
import { stateText } from './RolloutsScreen.js';
import { useLoad } from './useDevices.js';

/** How often an open rollout's page asks again: headsets report at their check-ins, every minute. */
const REFRESH_MS = 5_000;

/** The actions the rollout's state allows, in the order shown. */
function actionsOf(rollout: RolloutDetail): RolloutAction[] {
  const last = rollout.phase === rollout.phases.length - 1;
  if (rollout.state === 'active') return [last ? 'complete' : 'advance', 'pause', 'abort'];
  if (rollout.state === 'paused') return ['resume', 'abort'];
  return [];
}

const ACTION_LABELS: Record<RolloutAction, (r: RolloutDetail) => string> = {
  advance: (r) => `Next phase (${r.phases[r.phase + 1]} %)`,
  complete: () => 'Complete',
  pause: () => 'Pause',
  resume: () => 'Resume',
  abort: () => 'Abort…',
};

/** One rollout: its phases, its progress as a chart, the actions open to an admin, and each headset's status. */
export function RolloutScreen({ rolloutId, role, onSessionLost }: { rolloutId: string; role: OperatorRole; onSessionLost: () => void }) {
  const load = useCallback(() => api('GET', UPDATE_API.rollout(rolloutId), rolloutDetailSchema), [rolloutId]);
  const { data: rollout, error, reload } = useLoad(load, onSessionLost);
  const [actionError, setActionError] = useState<string>();
  const [confirmingAbort, setConfirmingAbort] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  const act = async (action: RolloutAction) => {
    if (!rollout) return;
    if (action === 'abort' && !confirmingAbort) return setConfirmingAbort(true);
    setActionError(undefined);
    setConfirmingAbort(false);
    setBusy(true);
    try {
      // The phase seen here: if the rollout moved meanwhile, the server says so instead of acting twice.
      await api('POST', UPDATE_API.rolloutAction(rollout.id, action), rolloutSchema, { phase: rollout.phase });
    } catch (e) {
      setActionError((e as Error).message);
    } finally {
      setBusy(false);
    }
    await reload();
  };

  return (
    <>
      <p>
        <a href="#/rollouts">← All rollouts</a>
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {rollout && (
        <>
          <section className="card" aria-labelledby="rollout-title">
            <h1 id="rollout-title">
              {rollout.model} {rollout.version}
            </h1>
            <span className={`badge rollout-${rollout.state}`} data-testid="rollout-state">
              {stateText(rollout)}
            </span>
            <dl className="facts">
              <dt>Groups</dt>
              <dd>
                {rollout.groupTags.length === 0
                  ? 'Every headset of the model'
                  : rollout.groupTags.map((t) => (
                      <span key={t} className="tag">
                        {t}
                      </span>
                    ))}
              </dd>
              <dt>Phase</dt>
              <dd data-testid="rollout-phase">
                {rollout.phase + 1} of {rollout.phases.length}: {rollout.phases[rollout.phase]} % of the headsets ({rollout.eligible} now)
              </dd>
              <dt>Phases</dt>
              <dd>
                <ol className="phases">
                  {rollout.phases.map((p, i) => (
                    <li key={p} aria-current={i === rollout.phase ? 'step' : undefined} className={i < rollout.phase ? 'done' : undefined}>
                      {p} %
                    </li>
                  ))}
                </ol>
              </dd>
              <dt>Pauses by itself</dt>
              <dd>
                above {rollout.failureThresholdPercent} % failures of those offered, at {rollout.minFailures} failure
                {rollout.minFailures === 1 ? '' : 's'} or more
              </dd>
              <dt>Started</dt>
              <dd>
                {new Date(rollout.createdAt).toLocaleString()} by {rollout.createdBy}
              </dd>
            </dl>
            {actionError && (
              <p className="error" role="alert">
                {actionError}
              </p>
            )}
            {role === 'admin' && actionsOf(rollout).length > 0 && (
              <div className="row" role="group" aria-label="Rollout actions">
                {actionsOf(rollout).map((action) => (
                  <button
                    key={action}
                    type="button"
                    className={action === 'abort' ? 'danger' : action === 'pause' ? 'quiet' : undefined}
                    disabled={busy}
                    onClick={() => void act(action)}
                  >
                    {ACTION_LABELS[action](rollout)}
                  </button>
                ))}
              </div>
            )}
            {confirmingAbort && (
              <div className="row confirm" role="alertdialog" aria-label="Abort the rollout?">
                <span>Abort: no headset is offered {rollout.version} any more. Headsets that installed it keep it.</span>
                <button type="button" className="danger" onClick={() => void act('abort')}>
                  Abort the rollout
                </button>
                <button type="button" className="quiet" onClick={() => setConfirmingAbort(false)}>
                  Keep it
                </button>
              </div>
            )}
          </section>

          <section className="card" aria-labelledby="progress-title">
            <h2 id="progress-title">Progress</h2>
            <RolloutProgressChart rollout={rollout} />
          </section>

          <section className="card" aria-labelledby="rollout-devices-title">
            <h2 id="rollout-devices-title">Headsets</h2>
            {rollout.devices.length === 0 && <p className="hint">No headset has been offered this update yet: they are at their next check-in.</p>}
            {rollout.devices.length > 0 && (
              <table>
                <thead>
                  <tr>
                    <th>Headset</th>
                    <th>Status</th>
                    <th>Reported</th>
                    <th>Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {rollout.devices.map((d) => (
                    <tr key={d.deviceId}>
                      <td className="mono">
                        <a href={`#/devices/${d.deviceId}`}>{d.deviceId}</a>
                      </td>
                      <td>
                        <span className={`badge status-${d.status}`}>{STATUS_LABELS[d.status]}</span>
                      </td>
                      <td title={d.updatedAt}>{ago(d.updatedAt)}</td>
                      <td>{d.detail ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </>
  );
}
