import { useState, type FormEvent } from 'react';
import { OPERATOR_API, sessionSchema, type Session } from '../../../src/fleet/operatorApi.js';
import { ApiError, api } from './api.js';

export function LoginScreen({ onLoggedIn }: { onLoggedIn: (session: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLoggedIn(await api('POST', OPERATOR_API.login, sessionSchema, { username, password }));
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'LOGIN_FAILED' ? 'The user name or the password is wrong.' : (e as Error).message);
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <form className="card narrow" onSubmit={(e) => void submit(e)}>
        <h1>Headset fleet</h1>
        <p className="hint">Log in as an operator.</p>
        <label>
          User name
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Log in
        </button>
      </form>
    </main>
  );
}
