import { useCallback, useEffect, useState } from 'react';
import { OPERATOR_API, sessionSchema, type Session } from '../../../src/fleet/operatorApi.js';
import { ApiError, api, setCsrfToken } from './api.js';
import { AuditScreen } from './AuditScreen.js';
import { ChangePasswordScreen } from './ChangePasswordScreen.js';
import { DeviceScreen } from './DeviceScreen.js';
import { DevicesScreen } from './DevicesScreen.js';
import { LicensesScreen } from './LicensesScreen.js';
import { LoginScreen } from './LoginScreen.js';
import { OperatorsScreen } from './OperatorsScreen.js';
import { RegistrationScreen } from './RegistrationScreen.js';
import { RolloutScreen } from './RolloutScreen.js';
import { RolloutsScreen } from './RolloutsScreen.js';
import { TelemetryScreen } from './TelemetryScreen.js';
import { TracksScreen } from './TracksScreen.js';
import { useHashRoute } from './useHashRoute.js';

/** The operator dashboard: log in, change a one-time password, then the headsets and each one's page. */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useHashRoute();

  const adopt = useCallback((next: Session | null) => {
    setCsrfToken(next?.csrfToken);
    setSession(next);
  }, []);

  useEffect(() => {
    api('GET', OPERATOR_API.session, sessionSchema)
      .then(adopt)
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'NOT_AUTHENTICATED') adopt(null);
        else adopt(null);
      });
  }, [adopt]);

  const logOut = async () => {
    await api('POST', OPERATOR_API.logout, undefined, {}).catch(() => undefined);
    adopt(null);
  };

  if (session === undefined) return <main className="centered" aria-busy="true" />;
  if (session === null) return <LoginScreen onLoggedIn={adopt} />;
  if (session.operator.mustChangePassword) return <ChangePasswordScreen session={session} onChanged={adopt} onLogOut={logOut} />;
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="#/devices">
          Headset fleet
        </a>
        <nav className="pages" aria-label="Pages">
          <a href="#/devices" aria-current={route.page === 'devices' || route.page === 'device' ? 'page' : undefined}>
            Headsets
          </a>
          <a href="#/rollouts" aria-current={route.page === 'rollouts' || route.page === 'rollout' ? 'page' : undefined}>
            Rollouts
          </a>
          <a href="#/licenses" aria-current={route.page === 'licenses' ? 'page' : undefined}>
            Licences
          </a>
          <a href="#/tracks" aria-current={route.page === 'tracks' ? 'page' : undefined}>
            Tracks
          </a>
          <a href="#/telemetry" aria-current={route.page === 'telemetry' ? 'page' : undefined}>
            Telemetry
          </a>
          <a href="#/registration" aria-current={route.page === 'registration' ? 'page' : undefined}>
            Registration
          </a>
          {session.operator.role === 'admin' && (
            <>
              <a href="#/operators" aria-current={route.page === 'operators' ? 'page' : undefined}>
                Operators
              </a>
              <a href="#/audit" aria-current={route.page === 'audit' ? 'page' : undefined}>
                Audit log
              </a>
            </>
          )}
        </nav>
        <span className="who">
          {session.operator.username} <span className="role">{session.operator.role}</span>
        </span>
        <button type="button" className="quiet" onClick={() => void logOut()}>
          Log out
        </button>
      </header>
      <main className="content">
        {route.page === 'registration' ? (
          <RegistrationScreen role={session.operator.role} onSessionLost={() => adopt(null)} />
        ) : route.page === 'operators' ? (
          <OperatorsScreen me={session.operator.username} onSessionLost={() => adopt(null)} />
        ) : route.page === 'audit' ? (
          <AuditScreen onSessionLost={() => adopt(null)} />
        ) : route.page === 'telemetry' ? (
          <TelemetryScreen onSessionLost={() => adopt(null)} />
        ) : route.page === 'licenses' ? (
          <LicensesScreen role={session.operator.role} onSessionLost={() => adopt(null)} />
        ) : route.page === 'tracks' ? (
          <TracksScreen role={session.operator.role} onSessionLost={() => adopt(null)} />
        ) : route.page === 'rollouts' ? (
          <RolloutsScreen role={session.operator.role} onSessionLost={() => adopt(null)} />
        ) : route.page === 'rollout' ? (
          <RolloutScreen rolloutId={route.rolloutId} role={session.operator.role} onSessionLost={() => adopt(null)} />
        ) : route.page === 'device' ? (
          <DeviceScreen deviceId={route.deviceId} role={session.operator.role} onSessionLost={() => adopt(null)} />
        ) : (
          <DevicesScreen role={session.operator.role} onSessionLost={() => adopt(null)} />
        )}
      </main>
    </div>
  );
}
