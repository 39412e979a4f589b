import { useState } from 'react';
import type { RecoveryInstallState, RecoverySource } from '../../../src/api/contract.js';
import { Button } from '../design/Button.js';
import { RecoveryInstallActions } from './RecoveryInstallActions.js';
import { recoveryInstallRunning } from './recoveryInstallWords.js';

/** The question before a whole system is written: what comes from where, into which slot, what stays. */
const QUESTIONS: Record<RecoverySource, (slot: string) => string> = {
  network: (slot) =>
    `Install the newest system from the update server into slot ${slot}? It is checked as updates are, and your data stays. Restart then starts it.`,
  usb: (slot) =>
    `Install the system on the USB stick into slot ${slot}? Its signature and version are checked first, and your data stays. Restart then starts it.`,
};

const YES: Record<RecoverySource, string> = {
  network: 'Yes, install from the internet',
  usb: 'Yes, install from the USB stick',
};

/**
 * The kiosk's "Reinstall the system" list: network and USB recovery, each asked first (a slot is
 * overwritten), then its progress and outcome on the action; Back to the other recovery actions.
 *
 *   list --Enter on an action--> asking --Yes--> list (the install runs on the action)
 *     ^                            |
 *     +--------- Cancel -----------+
 */
export function RecoveryInstallMenu({
  state,
  start,
  slot,
  onBack,
}: {
  state: RecoveryInstallState;
  start(source: RecoverySource): void;
  /** The slot an install writes: the one not running. */
  slot: string;
  onBack(): void;
}) {
  const [asking, setAsking] = useState<RecoverySource>();
  // The action that was asked about gets the focus back (on Yes its progress shows there; on Cancel the wearer is where they were).
  const [askedFrom, setAskedFrom] = useState<RecoverySource>();
  const running = recoveryInstallRunning(state);
  const target = state.status === 'installed' ? state.slot : slot;

  if (asking)
    return (
      <>
        <p className="recovery-confirm" id="install-confirm-question" data-testid="recovery-install-question">
          {QUESTIONS[asking](target)}
        </p>
        {/* Keyed apart from the list's menu: React must mount these buttons anew, so Cancel takes the focus. */}
        <div key="asking" className="recovery-actions" role="menu" aria-label="Reinstall the system" aria-describedby="install-confirm-question">
          <Button
            role="menuitem"
            variant="danger"
            onClick={() => {
              setAsking(undefined);
              start(asking);
            }}
            data-testid="recovery-install-yes"
          >
            {YES[asking]}
            <span className="action-hint">Slot {target} is overwritten; the running system stays</span>
          </Button>
          <Button role="menuitem" onClick={() => setAsking(undefined)} autoFocus data-testid="recovery-install-cancel">
            Cancel
            <span className="action-hint">Back to the list, nothing written</span>
          </Button>
        </div>
      </>
    );
  return (
    <>
      <p className="recovery-confirm" id="install-question">
        A whole system into slot {target}, checked as updates are. Your data stays.
      </p>
      <div key="list" className="recovery-actions" role="menu" aria-label="Reinstall the system" aria-describedby="install-question">
        <RecoveryInstallActions
          state={state}
          start={(source) => {
            setAskedFrom(source);
            setAsking(source);
          }}
          disabled={false}
          focus={askedFrom ?? 'first'}
        />
        <Button role="menuitem" onClick={() => !running && onBack()} aria-disabled={running} data-testid="recovery-install-back">
          Back
          <span className="action-hint">
            {state.status === 'installed' ? 'To Restart, which starts the new system' : 'To the other recovery actions'}
          </span>
        </Button>
      </div>
    </>
  );
}
