import { useState, type FormEvent } from 'react';
import { OPERATOR_API, PASSWORD_MIN_LENGTH, sessionSchema, type Session } from '../../../src/fleet/operatorApi.js';
import { api } from './api.js';

/** The first thing after logging in with a one-time password: nothing else is allowed until it is changed. */
export function ChangePasswordScreen({ session, onChanged, onLogOut }: { session: Session; onChanged: (s: Session) => void; onLogOut: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (next !== repeat) {
      setError('The two new passwords differ.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      onChanged(await api('POST', OPERATOR_API.password, sessionSchema, { currentPassword: current, newPassword: next }));
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <form className="card narrow" onSubmit={(e) => void submit(e)}>
        <h1>Choose your password</h1>
        <p className="hint">
          {session.operator.username}, you logged in with a one-time password. Choose your own to go on: at least {PASSWORD_MIN_LENGTH} characters; a
          few words make a good one.
        </p>
        <label>
          One-time password
          <input
            name="current"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => {
              setCurrent(e.target.value);
              setError(undefined);
            }}
            required
          />
        </label>
        <label>
          New password
          <input
            name="new"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => {
              setNext(e.target.value);
              setError(undefined);
            }}
            required
          />
        </label>
        <label>
          New password again
          <input
            name="repeat"
            type="password"
            autoComplete="new-password"
            value={repeat}
            onChange={(e) => {
              setRepeat(e.target.value);
              setError(undefined);
            }}
            required
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" disabled={busy}>
            Change password
          </button>
          <button type="button" className="quiet" onClick={onLogOut}>
            Log out
          </button>
        </div>
      </form>
    </main>
  );
}
