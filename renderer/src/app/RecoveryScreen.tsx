import { useRef, useState } from 'react';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { useKeyboardNavigation } from '../design/useKeyboardNavigation.js';
import { useDeviceStore } from '../system/deviceStore.js';
import { useModeStore } from '../mode/modeStore.js';
import { furtherBackVersions, useUpdateStore } from '../update/updateStore.js';
import './recovery.css';
import { KeptProblem, ReinstallProgress } from '../update/KeptVersionsPanel.js';
import { keptUnavailableReason } from '../update/keptUnavailableReason.js';
import { ProblemText } from '../update/UpdateStateCard.js';
import { useKeptRollback } from '../update/useKeptRollback.js';
import { useRollback } from '../update/useRollback.js';
import { RecoveryExportAction } from '../logs/RecoveryExportAction.js';
import { SupportBanner } from '../support/SupportBanner.js';
import { AlertBanner } from '../alerts/AlertBanner.js';
import { usePowerAction } from '../power/usePowerAction.js';
import { RecoveryReset } from '../reset/RecoveryReset.js';
import { RecoveryInstallProgress } from '../recovery/RecoveryInstallActions.js';
import { RecoveryInstallMenu } from '../recovery/RecoveryInstallMenu.js';
import { recoveryInstallRunning } from '../recovery/recoveryInstallWords.js';
import { useRecoveryInstall } from '../recovery/useRecoveryInstall.js';
import { RecoveryNetwork } from '../recovery/RecoveryNetwork.js';
import { RecoveryRestore } from '../recovery/RecoveryRestore.js';

/** Why the headset is in recovery, in the wearer's words: the button, a system that did not start, Settings, an unfinished reset. */
const REASONS: Record<string, string> = {
  'recovery-button': 'The recovery button was held when the headset started.',
  'boot-failed': 'The system did not start: it failed on every try, so the headset started in recovery.',
  'restart-into-recovery': 'You chose Restart into recovery in Settings.',
  'reset-pending': 'A factory reset was interrupted. It is finishing now; the headset then restarts by itself.',
  requested: 'Recovery was requested when the headset started.',
};

/** The recovery kiosk: full screen, three keys (Up, Down, Enter), no way out but its actions. */
export function RecoveryScreen() {
  const client = useClient();
  const { identity } = useDeviceStore();
  const reason = useModeStore((s) => s.state?.reason);
  const current = useUpdateStore((s) => s.status?.current);
  const rollbackTo = useUpdateStore((s) => s.status?.rollbackTo);
  const rollback = useRollback();
  const status = useUpdateStore((s) => s.status);
  const kept = useKeptRollback();
  const keptVersions = status ? furtherBackVersions(status) : [];
  const otherSlot = current?.slot === 'A' ? 'B' : 'A';
  const [restarting, setRestarting] = useState(false);
  const [resetOpen, setResetOpen] = useState(false);
  const [installOpen, setInstallOpen] = useState(false);
  const [networkOpen, setNetworkOpen] = useState(false);
  const [restoreOpen, setRestoreOpen] = useState(false);
  const [error, setError] = useState<string>();
  const power = usePowerAction('recovery');
  const install = useRecoveryInstall();
  // A restart or the power-off on its way, or a recovery install writing a slot: nothing else may start.
  const leaving = restarting || rollback.restarting || power.going !== undefined || recoveryInstallRunning(install.state);
  // Same rule as the Updates screen: not while another install owns the other slot.
  const keptUnavailable = leaving
    ? 'Not now: the headset is restarting'
    : status
      ? keptUnavailableReason(status, kept.going, kept.calling)
      : undefined;
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
      {/* What is wrong with the headset right now (heat, battery), above the way out; its restart is the kiosk's own. */}
      {/* Inside the screen's keyboard scope: the arrows reach its Stop button. */}
      <SupportBanner />
      <AlertBanner calls={false} />
      {/* Two columns on a wide screen, so the actions fit a 720 px (and an 800 × 480) kiosk screen without scrolling. */}
      <div className="recovery-about">
        <h1>Recovery</h1>
        <p className="recovery-reason" data-testid="recovery-reason">
          {REASONS[reason ?? ''] ?? 'The headset started in recovery.'}
        </p>
        <p className="recovery-keys" data-testid="recovery-keys">
          <kbd>↑ Up</kbd> <kbd>↓ Down</kbd> choose an action, <kbd>Enter</kbd> does it
        </p>
        <dl className="facts">
          <dt>Device ID</dt>
          <dd className="mono" data-testid="device-id">
            {identity?.deviceId}
          </dd>
          {current && (
            <>
              <dt>System</dt>
              <dd data-testid="recovery-system">System {current.version}</dd>
            </>
          )}
        </dl>
      </div>
      <div className="recovery-do">
        {/* Above the actions: on the kiosk screen the progress and the outcome must not need scrolling. */}
        <RecoveryInstallProgress state={install.state} />
        {kept.going && status && <ReinstallProgress status={status} version={kept.going} slot={otherSlot} installed={kept.installed} />}
        {kept.error && kept.failedVersion && <KeptProblem problem={kept.error} version={kept.failedVersion} />}
        {resetOpen ? (
          <RecoveryReset onBack={() => setResetOpen(false)} />
        ) : networkOpen ? (
          <RecoveryNetwork onBack={() => setNetworkOpen(false)} />
        ) : restoreOpen ? (
          <RecoveryRestore onBack={() => setRestoreOpen(false)} />
        ) : installOpen ? (
          <RecoveryInstallMenu
            state={install.state}
            start={(source) => void install.start(source)}
            slot={otherSlot}
            onBack={() => setInstallOpen(false)}
          />
        ) : power.asking === 'power-off' ? (
          <>
            <p className="recovery-confirm" id="power-off-question">
              Switch the headset off? To use it again, switch it on with its power button.
            </p>
            <div className="recovery-actions" role="menu" aria-label="Recovery actions" aria-describedby="power-off-question">
              <Button role="menuitem" variant="danger" onClick={() => void power.confirm()} aria-disabled={power.going !== undefined}>
                {power.going ? 'Switching off…' : 'Yes, switch off'}
                <span className="action-hint">The headset goes off</span>
              </Button>
              <Button role="menuitem" onClick={() => power.going === undefined && power.cancel()} aria-disabled={power.going !== undefined} autoFocus>
                Cancel
                <span className="action-hint">Stay in recovery</span>
              </Button>
            </div>
          </>
        ) : kept.asking ? (
          <>
            <p className="recovery-confirm" id="kept-question">
              Reinstall {kept.asking}? The headset checks with the update server that {kept.asking} is still allowed, reinstalls it from its kept copy
              into slot {otherSlot} (a few minutes), then restarts into it.{' '}
              {rollbackTo ? `It replaces ${rollbackTo.version} in slot ${otherSlot}; ` : ''}
              {current?.version} stays in slot {current?.slot}.
            </p>
            <div className="recovery-actions" role="menu" aria-label="Recovery actions" aria-describedby="kept-question">
              <Button role="menuitem" variant="danger" onClick={() => void kept.confirm()}>
                Yes, reinstall {kept.asking} and restart
                <span className="action-hint">A few minutes, then the headset restarts</span>
              </Button>
              <Button role="menuitem" onClick={kept.cancel} autoFocus>
                Cancel
                <span className="action-hint">Keep {current?.version}</span>
              </Button>
            </div>
          </>
        ) : rollback.confirming && rollbackTo ? (
          <>
            <p className="recovery-confirm" id="rollback-question">
              Go back to {rollbackTo.version}? The headset restarts into {rollbackTo.version} from slot {rollbackTo.slot}; {current?.version} stays in
              slot {current?.slot}.
            </p>
            <div className="recovery-actions" role="menu" aria-label="Recovery actions" aria-describedby="rollback-question">
              {/* aria-disabled while the call runs: the focus stays on the action the wearer chose. */}
              <Button role="menuitem" variant="danger" onClick={() => !rollback.busy && void rollback.confirm()} aria-disabled={rollback.busy}>
                Yes, go back and restart
                <span className="action-hint">Restart into {rollbackTo.version}</span>
              </Button>
              <Button role="menuitem" onClick={() => !rollback.busy && rollback.cancel()} aria-disabled={rollback.busy} autoFocus>
                Cancel
                <span className="action-hint">Keep {current?.version}</span>
              </Button>
            </div>
          </>
        ) : kept.going ? (
          <>
            {/* A reinstall owns the other slot until the restart: only what cannot harm it is offered. */}
            <p className="muted recovery-waiting" data-testid="recovery-waiting">
              Restart and going back are not available until {kept.going} is reinstalled; the headset then restarts by itself.
            </p>
            <div className="recovery-actions" role="menu" aria-label="Recovery actions">
              <RecoveryExportAction disabled={false} />
            </div>
          </>
        ) : (
          <div className="recovery-actions" role="menu" aria-label="Recovery actions">
            {/* aria-disabled, not disabled: the kiosk's focus must never drop to the page. */}
            <Button
              role="menuitem"
              variant="primary"
              onClick={() => !leaving && void restart()}
              aria-disabled={leaving}
              autoFocus={!rollback.restarting}
            >
              {restarting ? 'Restarting…' : 'Restart the headset'}
              <span className="action-hint">
                {install.state.status === 'installed'
                  ? `Start ${install.state.version}, just installed into slot ${install.state.slot}`
                  : 'Start the system again through the normal boot'}
              </span>
            </Button>
            {rollbackTo && install.state.status !== 'installed' && (
              <Button
                role="menuitem"
                ref={rollback.askRef}
                onClick={() => !leaving && rollback.ask()}
                aria-disabled={leaving}
                autoFocus={rollback.restarting}
              >
                {rollback.restarting ? `Going back to ${rollbackTo.version}…` : `Go back to ${rollbackTo.version}`}
                <span className="action-hint">
                  Start the system in slot {rollbackTo.slot} instead of {current?.version}
                </span>
              </Button>
            )}
            <Button role="menuitem" onClick={() => !leaving && setInstallOpen(true)} aria-disabled={leaving} data-testid="recovery-install-open">
              Reinstall the system…
              <span className="action-hint">
                {install.state.status === 'installed'
                  ? `${install.state.version} is installed into slot ${install.state.slot}: choose Restart`
                  : 'From the update server or a USB stick'}
              </span>
            </Button>
            <Button role="menuitem" onClick={() => !leaving && setRestoreOpen(true)} aria-disabled={leaving} data-testid="recovery-restore-open">
              Restore from a backup…
              <span className="action-hint">Your data from a USB stick or the cloud, with its passphrase</span>
            </Button>
            <Button role="menuitem" onClick={() => !leaving && setNetworkOpen(true)} aria-disabled={leaving} data-testid="recovery-network-open">
              Connect to a network…
              <span className="action-hint">Wi-Fi, for a system or a backup from the internet</span>
            </Button>
            {keptVersions.map((version) => (
              <Button
                role="menuitem"
                key={version}
                ref={kept.buttonRef(version)}
                onClick={() => keptUnavailable === undefined && kept.ask(version)}
                aria-disabled={keptUnavailable !== undefined}
              >
                {`Go back to ${version}`}
                <span className="action-hint">
                  {keptUnavailable ?? `Reinstall the kept copy of ${version}: a few minutes, then the headset restarts`}
                </span>
              </Button>
            ))}
            <RecoveryExportAction disabled={leaving} />
            <Button role="menuitem" onClick={() => !leaving && setResetOpen(true)} aria-disabled={leaving} data-testid="recovery-reset-open">
              Erase and reset…
              <span className="action-hint">Factory reset, or erase some of your data (asks first)</span>
            </Button>
            <Button role="menuitem" onClick={() => !leaving && power.ask('power-off')} aria-disabled={leaving}>
              Switch off
              <span className="action-hint">Turn the headset off (asks first)</span>
            </Button>
          </div>
        )}
        {(restarting || rollback.restarting) && <div className="progress indeterminate" role="progressbar" aria-label="Restarting" />}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {rollback.error && <ProblemText problem={rollback.error} role="alert" />}
        {power.error && <ProblemText problem={power.error} role="alert" />}
      </div>
    </main>
  );
}
