import { useState } from 'react';
import { useBootStore } from '../boot/bootStore.js';
import { Button } from '../design/Button.js';
import { useEscape } from '../design/focus.js';
import { Panel } from '../design/Panel.js';
import { useDeviceStore } from '../system/deviceStore.js';
import { ProblemText } from '../update/UpdateStateCard.js';
import { usePowerAction } from './usePowerAction.js';
import './power.css';

/** Restart and switch off, each asked again before it happens (Escape or Cancel keeps the headset on). */
export function PowerScreen() {
  const power = usePowerAction('settings');
  const bootId = useBootStore((s) => s.status?.bootId);
  const simulated = useDeviceStore((s) => s.info?.deviceProfile === 'simulated');
  // A restart is over once the headset booted again (a new boot id): the screen is usable again.
  const [restartFrom, setRestartFrom] = useState<string>();
  const restarting = (power.going === 'restart' || power.going === 'restart-into-recovery') && restartFrom === bootId;
  useEscape(power.asking !== undefined && power.going === undefined, power.cancel);
  return (
    <div className="power">
      <Panel title="Power" className="power-panel">
        {power.going === 'power-off' ? (
          <div role="status" className="power-going">
            <p>Switching off…</p>
            <div className="progress indeterminate" role="progressbar" aria-label="Switching off" />
          </div>
        ) : restarting ? (
          <div role="status" className="power-going">
            <p>Restarting… the headset is back in about a minute.</p>
            <div className="progress indeterminate" role="progressbar" aria-label="Restarting" />
          </div>
        ) : power.asking ? (
          <div className="confirm power-confirm" role="group" aria-labelledby="power-question">
            <p className="confirm-text" id="power-question">
              {power.asking === 'restart'
                ? 'Restart the headset? What is open closes, and the headset starts again in about a minute.'
                : power.asking === 'restart-into-recovery'
                  ? 'Restart into recovery? The headset starts its recovery system once: there you can reinstall the system, export logs or reset. Choosing Restart there brings you back here.'
                  : 'Switch the headset off? To use it again, switch it on with its power button.'}
            </p>
            <div className="actions">
              <Button
                variant="danger"
                onClick={() => {
                  setRestartFrom(bootId);
                  void power.confirm();
                }}
              >
                {power.asking === 'restart'
                  ? 'Yes, restart'
                  : power.asking === 'restart-into-recovery'
                    ? 'Yes, restart into recovery'
                    : 'Yes, switch off'}
              </Button>
              <Button onClick={power.cancel} autoFocus>
                Cancel
              </Button>
            </div>
          </div>
        ) : (
          <div className="power-actions">
            <Button className="power-action" onClick={() => power.ask('restart')}>
              Restart
              <span className="action-hint">Start the headset again</span>
            </Button>
            <Button className="power-action" onClick={() => power.ask('power-off')}>
              Switch off
              <span className="action-hint">Turn the headset off</span>
            </Button>
            <Button className="power-action" onClick={() => power.ask('restart-into-recovery')} data-testid="power-restart-recovery">
              Restart into recovery
              <span className="action-hint">Repair or reinstall the system (needs the PIN when one is set)</span>
            </Button>
          </div>
        )}
        {power.error && <ProblemText problem={power.error} role="alert" />}
        {simulated && (
          <p className="muted power-note" data-testid="power-simulated-note">
            This is the simulated headset: switched off, its service stops; starting it again switches it on.
          </p>
        )}
      </Panel>
    </div>
  );
}
