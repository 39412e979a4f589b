import { useCallback, useState, type FormEvent } from 'react';
import {
  OPERATOR_API,
  OPERATOR_ROLES,
  createdOperatorSchema,
  operatorAccountSchema,
  operatorListSchema,
  type CreatedOperator,
  type OperatorAccount,
  type OperatorRole,
} from '../../../src/fleet/operatorApi.js';
import { api } from './api.js';
import { ago } from './format.js';
import { useAction } from './useAction.js';
import { useLoad } from './useDevices.js';

const ROLE_WORDS: Record<OperatorRole, string> = {
  admin: 'admin: everything',
  support: 'support: decides on headsets',
  viewer: 'viewer: reads',
};

/**
 * Operators (admins only): the accounts with their role and state, a new operator with a one-time
 * password shown once, a role changed, an operator disabled (sessions end at once) or enabled again.
 * The server refuses leaving no enabled admin; its reason is shown as it says it.
 */
export function OperatorsScreen({ me, onSessionLost }: { me: string; onSessionLost: () => void }) {
  const load = useCallback(() => api('GET', OPERATOR_API.operators, operatorListSchema), []);
  const { data, error, reload } = useLoad(load, onSessionLost);
  const { busy, problem, run } = useAction(onSessionLost);
  const [created, setCreated] = useState<CreatedOperator>();

  const change = (username: string, body: { role?: OperatorRole; disabled?: boolean }) =>
    run(() => api('PATCH', OPERATOR_API.operator(username), operatorAccountSchema, body)).then(() => reload());

  return (
    <>
      <NewOperator
        onCreated={(answer) => {
          setCreated(answer);
          void reload();
        }}
        onSessionLost={onSessionLost}
      />
      {created && (
        <section className="card" aria-labelledby="created-title" data-testid="operator-created">
          <h2 id="created-title">{created.username} can log in</h2>
          <p>
            One-time password: <strong className="mono">{created.oneTimePassword}</strong>
          </p>
          <p className="hint">Give it to {created.username} in person. It is shown only now, and must be changed at the first login.</p>
          <button type="button" className="quiet" onClick={() => setCreated(undefined)}>
            Done, hide it
          </button>
        </section>
      )}
      <section className="card" aria-labelledby="operators-title">
        <h2 id="operators-title">Operators</h2>
        {(error ?? problem) && (
          <p className="error" role="alert">
            {error ?? problem}
          </p>
        )}
        {data && (
          <table>
            <thead>
              <tr>
                <th>User name</th>
                <th>Role</th>
                <th>State</th>
                <th>Created</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.operators.map((o: OperatorAccount) => (
                <tr key={o.username} data-operator={o.username}>
                  <td>
                    {o.username}
                    {o.username === me && <span className="hint"> (you)</span>}
                  </td>
                  <td>
                    <select
                      aria-label={`Role of ${o.username}`}
                      value={o.role}
                      disabled={busy}
                      onChange={(e) => void change(o.username, { role: e.target.value as OperatorRole })}
                    >
                      {OPERATOR_ROLES.map((role) => (
                        <option key={role} value={role}>
                          {ROLE_WORDS[role]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td data-testid="operator-state">{o.disabled ? 'Disabled' : o.mustChangePassword ? 'Has not logged in yet' : 'Active'}</td>
                  <td title={o.createdAt}>{ago(o.createdAt)}</td>
                  <td>
                    {o.disabled ? (
                      <button type="button" disabled={busy} onClick={() => void change(o.username, { disabled: false })}>
                        Enable
                      </button>
                    ) : (
                      <button type="button" className="danger" disabled={busy} onClick={() => void change(o.username, { disabled: true })}>
                        Disable
                      </button>
                    )}
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

function NewOperator({ onCreated, onSessionLost }: { onCreated: (answer: CreatedOperator) => void; onSessionLost: () => void }) {
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<OperatorRole>('viewer');
  const { busy, problem, run } = useAction(onSessionLost);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let answer: CreatedOperator | undefined;
    const ok = await run(async () => {
      answer = await api('POST', OPERATOR_API.operators, createdOperatorSchema, { username: username.trim(), role });
    });
    if (ok && answer) {
      setUsername('');
      onCreated(answer);
    }
  };

  return (
    <section className="card" aria-labelledby="new-operator-title">
      <h2 id="new-operator-title">Add an operator</h2>
      <form className="rollout-form" onSubmit={(e) => void submit(e)}>
        <label>
          User name
          <input
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            pattern="[a-z][a-z0-9._\-]{1,31}"
            title="lower-case letters, digits and . _ -, 2 to 32, starting with a letter"
            autoComplete="off"
          />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as OperatorRole)}>
            {OPERATOR_ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_WORDS[r]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          Add the operator
        </button>
      </form>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
