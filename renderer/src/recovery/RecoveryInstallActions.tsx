import type { RecoveryInstallState, RecoverySource } from '../../../src/api/contract.js';
import { Button } from '../design/Button.js';
import { formatBytes } from '../design/format.js';
import { ProgressBar } from '../design/ProgressBar.js';
import { recoveryInstallHint, recoveryInstallRunning } from './recoveryInstallWords.js';

const ACTIONS: Array<{ source: RecoverySource; label: string; idle: string; testId: string }> = [
  {
    source: 'network',
    label: 'Install the newest system from the internet',
    idle: 'Download it from the update server into the other slot (a few minutes)',
    testId: 'recovery-install-network',
  },
  {
    source: 'usb',
    label: 'Install a system from a USB stick',
    idle: 'The signed .hcb file on the stick, checked before it is written',
    testId: 'recovery-install-usb',
  },
];

/**
 * Network and USB recovery in the kiosk: one action each, its hint saying what it does, then its
 * progress and its outcome in plain words (aria-live, the focus staying on it).
 */
export function RecoveryInstallActions({
  state,
  start,
  disabled,
  focus,
}: {
  state: RecoveryInstallState;
  start: (source: RecoverySource) => void;
  disabled: boolean;
  /** Which action takes the focus when the list shows: the first, or the one the wearer came back from. */
  focus?: RecoverySource | 'first';
}) {
  const running = recoveryInstallRunning(state);
  return (
    <>
      {ACTIONS.map((action, index) => {
        const hint = recoveryInstallHint(state, action.source);
        const mine = 'source' in state && state.source === action.source;
        return (
          <Button
            role="menuitem"
            key={action.source}
            // aria-disabled, not disabled: the kiosk's focus must never drop to the page.
            aria-disabled={disabled || running}
            onClick={() => !disabled && !running && start(action.source)}
            data-testid={action.testId}
            autoFocus={focus === action.source || (focus === 'first' && index === 0)}
          >
            {mine && running ? `${action.label}…` : action.label}
            <span className={`action-hint${mine && state.status === 'failed' ? ' error' : ''}`} aria-live="polite">
              {hint ?? action.idle}
            </span>
          </Button>
        );
      })}
    </>
  );
}

/** The bar above the kiosk's actions while a recovery install runs (so it never needs scrolling to). */
export function RecoveryInstallProgress({ state }: { state: RecoveryInstallState }) {
  if (state.status === 'downloading')
    return (
      <ProgressBar
        label={`Downloading ${state.version}`}
        value={state.bytes}
        max={state.total}
        detail={`${formatBytes(state.bytes)} of ${formatBytes(state.total)}`}
        testId="recovery-install-progress"
      />
    );
  if (state.status === 'installing' && state.total > 0)
    return (
      <ProgressBar
        label={`Installing ${state.version ?? 'the system'} into slot ${state.slot}`}
        value={state.bytes}
        max={state.total}
        detail={`${formatBytes(state.bytes)} of ${formatBytes(state.total)} written and checked`}
        testId="recovery-install-progress"
      />
    );
  if (recoveryInstallRunning(state))
    return <div className="progress indeterminate" role="progressbar" aria-label="Recovery install" data-testid="recovery-install-progress" />;
  return null;
}
