import { Button } from '../design/Button.js';
import { ProblemText } from './UpdateStateCard.js';
import { useRollback } from './useRollback.js';

/**
 * Going back to the system in the other slot: a picture of the switch, then a second, explicit
 * confirmation (Escape cancels) before update.rollback restarts the headset.
 */
export function RollbackPanel({ current, target }: { current: { slot: string; version: string }; target: { slot: string; version: string } }) {
  const rollback = useRollback();
  return (
    <div className="rollback" data-testid="rollback">
      {rollback.restarting ? (
        <>
          <p role="status">Restarting into {target.version}…</p>
          <div className="progress indeterminate" role="progressbar" aria-label="Restarting" />
        </>
      ) : rollback.confirming ? (
        <div className="confirm" role="group" aria-label={`Go back to ${target.version}?`}>
          <RollbackPicture current={current} target={target} />
          <p className="confirm-text">
            The headset restarts into {target.version} from slot {target.slot}. {current.version} stays in slot {current.slot} until the next update.
          </p>
          <div className="actions">
            {/* aria-disabled while the call runs: a disabled button would drop the focus to the page. */}
            <Button variant="danger" onClick={() => !rollback.busy && void rollback.confirm()} aria-disabled={rollback.busy}>
              Yes, go back and restart
            </Button>
            <Button onClick={() => !rollback.busy && rollback.cancel()} aria-disabled={rollback.busy} autoFocus>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <div className="rollback-row">
          <Button ref={rollback.askRef} onClick={rollback.ask}>
            Go back to {target.version}
          </Button>
          <RollbackPicture current={current} target={target} />
        </div>
      )}
      {rollback.error && <ProblemText problem={rollback.error} role="alert" />}
    </div>
  );
}

/** The switch at a glance: from the running system to the one in the other slot. */
function RollbackPicture({ current, target }: { current: { slot: string; version: string }; target: { slot: string; version: string } }) {
  return (
    <div className="rollback-picture" aria-hidden="true">
      <span className="chip">
        {current.version} <small>slot {current.slot}</small>
      </span>
      <svg viewBox="0 0 48 16" className="rollback-arrow">
        <path d="M2 8h40 M34 2l8 6-8 6" />
      </svg>
      <span className="chip target">
        {target.version} <small>slot {target.slot}</small>
      </span>
    </div>
  );
}
