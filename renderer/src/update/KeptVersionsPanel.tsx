import type { UpdateStatus } from '../../../src/api/contract.js';
import { Button } from '../design/Button.js';
import { formatMegabytes } from '../design/format.js';
import { Panel } from '../design/Panel.js';
import { ProblemDetails } from '../design/ProblemDetails.js';
import { ProgressBar } from '../design/ProgressBar.js';
import { furtherBackVersions, reinstallPhase } from './updateStore.js';
import { useFocusWhenLost } from '../design/focus.js';
import { keptUnavailableReason } from './keptUnavailableReason.js';
import { rollbackProblemText } from './rollbackProblems.js';
import type { Problem } from './useAction.js';
import { useKeptRollback } from './useKeptRollback.js';
import './keptVersions.css';

/**
 * "Go back further": older systems whose bundles the headset kept. Each one is reinstalled into the
 * other slot from its kept copy (after the update server confirms it still allows it), then the
 * headset restarts into it on trial, like an update. Ask, confirm, watch the progress.
 */
export function KeptVersionsPanel({ status }: { status: UpdateStatus }) {
  const kept = useKeptRollback();
  const versions = furtherBackVersions(status, kept.going);
  if (versions.length === 0 && kept.going === undefined && !kept.error) return null;
  const otherSlot = status.current.slot === 'A' ? 'B' : 'A';
  const unavailable = keptUnavailableReason(status, kept.going, kept.calling);
  return (
    <Panel title="Go back further" className="kept-versions">
      <p className="muted">
        Older systems this headset kept a copy of. Going back reinstalls the kept copy into slot {otherSlot}: it takes a few minutes, then the headset
        restarts into it.
      </p>
      <ul className="kept-list" aria-label="Kept versions">
        {versions.map((version) => (
          <li key={version} className="kept-item" data-testid="kept-version">
            {kept.going === version ? (
              <ReinstallProgress status={status} version={version} slot={otherSlot} installed={kept.installed} />
            ) : kept.asking === version ? (
              <div className="confirm" role="group" aria-label={`Reinstall ${version}?`}>
                <p className="confirm-text">
                  The headset checks with the update server that {version} is still allowed, reinstalls it into slot {otherSlot} (a few minutes, you
                  can keep using the headset), then restarts into it.{' '}
                  {status.rollbackTo ? `It replaces ${status.rollbackTo.version} in slot ${otherSlot}; ` : ''}
                  {status.current.version} stays in slot {status.current.slot}, and if {version} does not start properly the headset comes back to it
                  by itself.
                </p>
                <div className="actions">
                  <Button variant="danger" onClick={() => void kept.confirm()}>
                    Yes, reinstall {version} and restart
                  </Button>
                  <Button onClick={kept.cancel} autoFocus>
                    Cancel
                  </Button>
                </div>
              </div>
            ) : (
              <div className="kept-row">
                {/* aria-disabled, not disabled: a disabled button loses the focus to the page. */}
                <Button
                  ref={kept.buttonRef(version)}
                  onClick={() => unavailable === undefined && kept.ask(version)}
                  aria-disabled={unavailable !== undefined}
                >
                  Go back to {version}
                </Button>
                <span className="muted">{unavailable ?? 'reinstall from the kept copy · a few minutes · then restarts'}</span>
              </div>
            )}
            {kept.error && kept.failedVersion === version && <KeptProblem problem={kept.error} version={version} />}
          </li>
        ))}
      </ul>
    </Panel>
  );
}

/**
 * checking -> installing (bytes) -> restarting, from the pushed update state. It takes the focus the
 * confirmation button had (tabIndex -1: reachable by script, not a stop on the way), so the wearer
 * is never left with nothing focused for the minutes the reinstall takes; arrows lead on from it.
 */
export function ReinstallProgress({ status, version, slot, installed }: { status: UpdateStatus; version: string; slot: string; installed: boolean }) {
  const ref = useFocusWhenLost<HTMLDivElement>();
  // Once update.rollback has returned, the state may already be idle again while the restart runs.
  const phase = installed ? { phase: 'restarting' as const } : reinstallPhase(status.state, version);
  const line =
    phase.phase === 'restarting'
      ? `${version} is reinstalled: restarting into it…`
      : phase.phase === 'installing'
        ? `Reinstalling ${version} into slot ${slot}…`
        : `Checking with the update server that ${version} is still allowed…`;
  // One element for every phase, so the focus stays on it from phase to phase.
  return (
    <div
      className="kept-progress"
      ref={ref}
      tabIndex={-1}
      role="status"
      aria-label={`Going back to ${version}`}
      data-testid="reinstall-progress"
      data-phase={phase.phase}
    >
      {phase.phase === 'installing' && phase.total > 0 ? (
        <>
          <ProgressBar
            label={`Reinstalling ${version} into slot ${slot}`}
            value={phase.bytes}
            max={phase.total}
            detail={`${formatMegabytes(phase.bytes)} of ${formatMegabytes(phase.total)}`}
          />
          <p className="muted">The running system is not touched until the restart.</p>
        </>
      ) : (
        <>
          <p>{line}</p>
          <div className="progress indeterminate" role="progressbar" aria-label={line} />
        </>
      )}
    </div>
  );
}

/** The reason in plain words; the code under "Details", for support. */
export function KeptProblem({ problem, version }: { problem: Problem; version: string }) {
  return (
    <div className="kept-problem" role="alert" data-testid="kept-error">
      <p className="kept-problem-text">{rollbackProblemText(problem, version)}</p>
      <ProblemDetails code={problem.code} />
    </div>
  );
}
