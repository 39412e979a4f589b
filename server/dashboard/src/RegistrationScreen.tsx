import { useCallback, useState, type FormEvent } from 'react';
import { deviceIdSchema } from '../../../src/fleet/deviceApi.js';
import {
  OPERATOR_API,
  preauthorizationListSchema,
  reregistrationPolicySchema,
  type OperatorRole,
  type ReregistrationPolicy,
} from '../../../src/fleet/operatorApi.js';
import { api } from './api.js';
import { ago } from './format.js';
import { useAction } from './useAction.js';
import { useLoad } from './useDevices.js';

const POLICY_WORDS: Record<ReregistrationPolicy, { label: string; hint: string }> = {
  approve: {
    label: 'An operator approves the new key',
    hint: 'The headset keeps working with its old key until then; it appears under Waiting for approval.',
  },
  accept: {
    label: 'Accept the new key at once',
    hint: 'Whoever registers a known device id with a new key takes its place: only where device ids are not guessable by others.',
  },
};

/**
 * How headsets join: the re-registration policy (a known headset with a new key, after a factory
 * reset) and the device ids accepted at their first registration without an operator. Everyone
 * reads; admins change (the server checks again).
 */
export function RegistrationScreen({ role, onSessionLost }: { role: OperatorRole; onSessionLost: () => void }) {
  const load = useCallback(
    () =>
      Promise.all([
        api('GET', OPERATOR_API.reregistrationPolicy, reregistrationPolicySchema),
        api('GET', OPERATOR_API.preauthorizations, preauthorizationListSchema),
      ]),
    [],
  );
  const { data, error, reload } = useLoad(load, onSessionLost);
  const [policy, list] = data ?? [];
  const admin = role === 'admin';
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {policy && <PolicyCard policy={policy.policy} editable={admin} onSaved={reload} onSessionLost={onSessionLost} />}
      {list && <Preauthorizations entries={list.preauthorizations} editable={admin} onChanged={reload} onSessionLost={onSessionLost} />}
    </>
  );
}

function PolicyCard({
  policy,
  editable,
  onSaved,
  onSessionLost,
}: {
  policy: ReregistrationPolicy;
  editable: boolean;
  onSaved: () => Promise<void>;
  onSessionLost: () => void;
}) {
  const [chosen, setChosen] = useState(policy);
  const { busy, problem, run } = useAction(onSessionLost);
  const [saved, setSaved] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    if (await run(() => api('PUT', OPERATOR_API.reregistrationPolicy, reregistrationPolicySchema, { policy: chosen }))) setSaved(true);
    await onSaved();
  };
  return (
    <section className="card" aria-labelledby="policy-title">
      <h2 id="policy-title">A known headset with a new key</h2>
      <p className="hint">After a factory reset a headset registers again under its device id with a new key.</p>
      <form onSubmit={(e) => void submit(e)}>
        <fieldset className="choices" disabled={!editable || busy}>
          <legend className="visually-hidden">Re-registration policy</legend>
          {(Object.keys(POLICY_WORDS) as ReregistrationPolicy[]).map((p) => (
            <label key={p} className="choice">
              <input type="radio" name="policy" value={p} checked={chosen === p} onChange={() => setChosen(p)} />
              <span>
                {POLICY_WORDS[p].label}
                <span className="hint"> {POLICY_WORDS[p].hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {editable && (
          <button type="submit" disabled={busy || chosen === policy}>
            Save the policy
          </button>
        )}
        {saved && chosen === policy && (
          <span className="hint" role="status">
            {' '}
            Saved.
          </span>
        )}
      </form>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}

function Preauthorizations({
  entries,
  editable,
  onChanged,
  onSessionLost,
}: {
  entries: { deviceId: string; createdBy: string; createdAt: string }[];
  editable: boolean;
  onChanged: () => Promise<void>;
  onSessionLost: () => void;
}) {
  const [deviceId, setDeviceId] = useState('');
  const [confirming, setConfirming] = useState<string>();
  const { busy, problem, run } = useAction(onSessionLost);
  const [invalid, setInvalid] = useState<string>();

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const id = deviceId.trim().toLowerCase();
    if (!deviceIdSchema.safeParse(id).success)
      return setInvalid('A device id looks like 6f1c2a4e-0b7d-4c1e-9a55-3d2b8e7f0c11 (About, Details for support, on the headset).');
    setInvalid(undefined);
    if (await run(() => api('POST', OPERATOR_API.preauthorizations, undefined, { deviceId: id }))) setDeviceId('');
    await onChanged();
  };
  const remove = async (id: string) => {
    setConfirming(undefined);
    await run(() => api('DELETE', OPERATOR_API.preauthorization(id), undefined));
    await onChanged();
  };

  return (
    <section className="card" aria-labelledby="preauth-title">
      <h2 id="preauth-title">Preauthorized headsets</h2>
      <p className="hint">These device ids are accepted at their first registration, without waiting for an operator; each entry is used up then.</p>
      {editable && (
        <form className="row" onSubmit={(e) => void add(e)}>
          <label>
            Device id
            <input className="mono" value={deviceId} onChange={(e) => setDeviceId(e.target.value)} size={40} required autoComplete="off" />
          </label>
          <button type="submit" disabled={busy}>
            Preauthorize
          </button>
        </form>
      )}
      {(invalid ?? problem) && (
        <p className="error" role="alert">
          {invalid ?? problem}
        </p>
      )}
      {entries.length === 0 ? (
        <p className="hint">No headset is preauthorized.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Device id</th>
              <th>Added</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((p) => (
              <tr key={p.deviceId} data-preauthorized={p.deviceId}>
                <td className="mono">{p.deviceId}</td>
                <td title={p.createdAt}>
                  {ago(p.createdAt)} by {p.createdBy}
                </td>
                <td>
                  {editable && confirming !== p.deviceId && (
                    <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(p.deviceId)}>
                      Remove
                    </button>
                  )}
                  {confirming === p.deviceId && (
                    <div className="row confirm" role="alertdialog" aria-label={`Remove the preauthorization of ${p.deviceId}?`}>
                      <span>It will wait for an operator when it registers.</span>
                      <button type="button" className="danger" onClick={() => void remove(p.deviceId)}>
                        Remove it
                      </button>
                      <button type="button" className="quiet" onClick={() => setConfirming(undefined)}>
                        Keep it
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
