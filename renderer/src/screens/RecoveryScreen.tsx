import { useRef, useState } from 'react';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { useKeyboardNavigation } from '../design/useKeyboardNavigation.js';
import { useBootStore } from '../stores/bootStore.js';
import { useDeviceStore } from '../stores/deviceStore.js';
import { useModeStore } from '../stores/modeStore.js';

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
      </dl>
      <div className="recovery-actions" role="menu" aria-label="Recovery actions">
        <Button role="menuitem" variant="primary" onClick={() => void restart()} disabled={restarting} autoFocus>
          {restarting ? 'Restarting…' : 'Restart the headset'}
          <span className="action-hint">Start the system again through the normal boot</span>
        </Button>
      </div>
      {restarting && <div className="progress indeterminate" role="progressbar" aria-label="Restarting" />}
      {error && <p role="alert" className="error">{error}</p>}
    </main>
  );
}
