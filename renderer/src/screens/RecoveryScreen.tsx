import { useRef, useState } from 'react';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { useKeyboardNavigation } from '../design/useKeyboardNavigation.js';
import { useBootStore } from '../stores/bootStore.js';
import { useDeviceStore } from '../stores/deviceStore.js';
import { useModeStore } from '../stores/modeStore.js';
import { useUpdateStore } from '../stores/updateStore.js';
import { ProblemText } from './updates/UpdateStateCard.js';
import { useRollback } from './updates/useRollback.js';

const REASONS: Record<string, string> = {
  'recovery-button': 'The recovery button was held, or the system could not start normally.',
  requested: 'Recovery was requested when the headset started.',
};

/** The recovery kiosk: full screen, three keys (Up, Down, Enter), no way out but its actions. */
export function RecoveryScreen() {
  const client = useClient();
  const { info, identity } = useDeviceStore();
  const boot = useBootStore((s) => s.status);
  const reason = useModeStore((s) => s.state?.reason);
  const current = useUpdateStore((s) => s.status?.current);
  const rollbackTo = useUpdateStore((s) => s.status?.rollbackTo);
  const rollback = useRollback();
  const [restarting, setRestarting] = useState(false);
  const [error, setError] = useState<string>();
  const scope = useRef<HTMLElement>(null);
  useKeyboardNavigation(scope);

  const restart = async () => {
    setRestarting(true);
    setError(undefined);
    try {
      await client.call('recovery.restart');
    } catch (e) {
      setRestarting(false);
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <main className="recovery" ref={scope} data-mode="recovery">
      <h1>Recovery</h1>
      <p className="recovery-reason">{REASONS[reason ?? ''] ?? 'The headset started in recovery.'}</p>
      <dl className="facts">
        <dt>Device ID</dt>
        <dd className="mono" data-testid="device-id">{identity?.deviceId}</dd>
        <dt>Software</dt>
        <dd>
          {info?.appVersion} · slot {boot?.activeSlot}
        </dd>
        {current && (
          <>
            <dt>System</dt>
            <dd data-testid="recovery-system">
              {current.version} in slot {current.slot}
            </dd>
          </>
        )}
      </dl>
      {rollback.confirming && rollbackTo ? (
        <>
          <p className="recovery-confirm" id="rollback-question">
            Go back to {rollbackTo.version}? The headset restarts into {rollbackTo.version} from slot {rollbackTo.slot}; {current?.version} stays in slot {current?.slot}.
          </p>
          <div className="recovery-actions" role="menu" aria-label="Recovery actions" aria-describedby="rollback-question">
            <Button role="menuitem" variant="danger" onClick={() => void rollback.confirm()} disabled={rollback.busy}>
              Yes, go back and restart
              <span className="action-hint">Restart into {rollbackTo.version}</span>
            </Button>
            <Button role="menuitem" onClick={rollback.cancel} disabled={rollback.busy} autoFocus>
              Cancel
              <span className="action-hint">Keep {current?.version}</span>
            </Button>
          </div>
        </>
      ) : (
        <div className="recovery-actions" role="menu" aria-label="Recovery actions">
          <Button role="menuitem" variant="primary" onClick={() => void restart()} disabled={restarting || rollback.restarting} autoFocus>
            {restarting ? 'Restarting…' : 'Restart the headset'}
            <span className="action-hint">Start the system again through the normal boot</span>
          </Button>
          {rollbackTo && (
            <Button role="menuitem" ref={rollback.askRef} onClick={rollback.ask} disabled={restarting || rollback.restarting}>
              {rollback.restarting ? `Going back to ${rollbackTo.version}…` : `Go back to ${rollbackTo.version}`}
              <span className="action-hint">
                Start the system in slot {rollbackTo.slot} instead of {current?.version}
              </span>
            </Button>
          )}
        </div>
      )}
      {(restarting || rollback.restarting) && <div className="progress indeterminate" role="progressbar" aria-label="Restarting" />}
      {error && <p role="alert" className="error">{error}</p>}
      {rollback.error && <ProblemText problem={rollback.error} role="alert" />}
    </main>
  );
}
