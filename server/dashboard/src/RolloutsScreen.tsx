import { useCallback, useState, type FormEvent } from 'react';
import type { OperatorRole } from '../../../src/fleet/operatorApi.js';
import { UPDATE_API, releaseListSchema, rolloutListSchema, rolloutSchema, type Rollout } from '../../../src/fleet/updateApi.js';
import { api } from './api.js';
import { ago, bytes } from './format.js';
import { useLoad } from './useDevices.js';

export const STATE_LABELS: Record<Rollout['state'], string> = {
  active: 'Rolling out',
  paused: 'Paused',
  aborted: 'Aborted',
  completed: 'Completed',
};

/** "Paused (too many failures)", or the state's label. */
export function stateText(rollout: Pick<Rollout, 'state' | 'pausedBecause'>): string {
  if (rollout.state === 'paused' && rollout.pausedBecause === 'failures') return 'Paused: too many failures';
  return STATE_LABELS[rollout.state];
}

/** Rollouts, newest first, and (for admins) a form to start one from a published release. */
export function RolloutsScreen({ role, onSessionLost }: { role: OperatorRole; onSessionLost: () => void }) {
  const load = useCallback(
    () => Promise.all([api('GET', UPDATE_API.rollouts, rolloutListSchema), api('GET', UPDATE_API.releases, releaseListSchema)]),
    [],
  );
  const { data, error, reload } = useLoad(load, onSessionLost);
  const [rollouts, releases] = data ?? [];
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {role === 'admin' && releases && <NewRollout releases={releases.releases} onCreated={() => void reload()} />}
      <section className="card" aria-labelledby="rollouts-title">
        <h2 id="rollouts-title">Rollouts</h2>
        {rollouts && rollouts.rollouts.length === 0 && <p className="hint">No rollout yet.</p>}
        {rollouts && rollouts.rollouts.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>Version</th>
                <th>Model</th>
                <th>Groups</th>
                <th>State</th>
                <th>Phase</th>
                <th>Committed</th>
                <th>Failures</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {rollouts.rollouts.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={`#/rollouts/${r.id}`}>{r.version}</a>
                  </td>
                  <td>{r.model}</td>
                  <td>
                    {r.groupTags.length === 0
                      ? 'All'
                      : r.groupTags.map((t) => (
                          <span key={t} className="tag">
                            {t}
                          </span>
                        ))}
                  </td>
                  <td>
                    <span className={`badge rollout-${r.state}`}>{stateText(r)}</span>
                  </td>
                  <td>
                    {r.phase + 1} of {r.phases.length} ({r.phases[r.phase]} %)
                  </td>
                  <td>{r.counts.committed}</td>
                  <td>{r.counts.failed + r.counts.rolled_back}</td>
                  <td title={r.createdAt}>
                    {ago(r.createdAt)} by {r.createdBy}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function NewRollout({ releases, onCreated }: { releases: { model: string; version: string; length: number }[]; onCreated: () => void }) {
  const [release, setRelease] = useState('');
  const [groups, setGroups] = useState('');
  const [phases, setPhases] = useState('5, 25, 100');
  const [threshold, setThreshold] = useState('5');
  const [minFailures, setMinFailures] = useState('2');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    const chosen = releases.find((r) => `${r.model} ${r.version}` === release);
    if (!chosen) return setProblem('Choose a release.');
    const phaseList = phases
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    if (phaseList.some((p) => !Number.isInteger(p))) return setProblem('Phases are whole percentages, such as 5, 25, 100.');
    setBusy(true);
    try {
      const created = await api('POST', UPDATE_API.rollouts, rolloutSchema, {
        model: chosen.model,
        version: chosen.version,
        groupTags: groups.split(/[\s,]+/).filter(Boolean),
        phases: phaseList,
        failureThresholdPercent: Number(threshold),
        minFailures: Number(minFailures),
      });
      onCreated();
      window.location.hash = `#/rollouts/${created.id}`;
    } catch (e) {
      setProblem((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (releases.length === 0)
    return (
      <section className="card" aria-labelledby="new-rollout-title">
        <h2 id="new-rollout-title">New rollout</h2>
        <p className="hint">Nothing is published yet: push a repository with headsetctl repo push.</p>
      </section>
    );
  return (
    <section className="card" aria-labelledby="new-rollout-title">
      <h2 id="new-rollout-title">New rollout</h2>
      <form className="rollout-form" onSubmit={(e) => void submit(e)}>
        <label>
          Release
          <select value={release} onChange={(e) => setRelease(e.target.value)} required>
            <option value="">Choose…</option>
            {releases.map((r) => (
              <option key={`${r.model} ${r.version}`} value={`${r.model} ${r.version}`}>
                {r.model} {r.version} ({bytes(r.length)})
              </option>
            ))}
          </select>
        </label>
        <label>
          Groups (tags, empty for all)
          <input value={groups} onChange={(e) => setGroups(e.target.value)} placeholder="site:berlin, beta" />
        </label>
        <label>
          Phases (% of the headsets)
          <input value={phases} onChange={(e) => setPhases(e.target.value)} required />
        </label>
        <label>
          Pause above this failure rate (%)
          <input type="number" min={0} max={100} step="any" value={threshold} onChange={(e) => setThreshold(e.target.value)} required />
        </label>
        <label>
          …and at least this many failures
          <input type="number" min={1} value={minFailures} onChange={(e) => setMinFailures(e.target.value)} required />
        </label>
        <div className="row">
          <button type="submit" disabled={busy}>
            Start rollout
          </button>
        </div>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
      </form>
    </section>
  );
}
