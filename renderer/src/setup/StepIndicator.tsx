import { SETUP_STEPS, type SetupProgress } from '../../../src/api/contract.js';
import { STEP_INFO } from './setupSteps.js';

const GAP = 120;
const R = 18;

/**
 * Where setup is, as a picture: one circle per step on a line, the current one ringed, those done
 * ticked, those skipped hollow with a dash; and the same in words for a screen reader.
 */
export function StepIndicator({ progress }: { progress: SetupProgress }) {
  const at = SETUP_STEPS.indexOf(progress.step);
  const width = GAP * (SETUP_STEPS.length - 1) + 2 * (R + 40);
  return (
    <div className="setup-indicator" data-testid="setup-indicator">
      <p className="setup-indicator-words" aria-live="polite">
        Step {at + 1} of {SETUP_STEPS.length}: {STEP_INFO[progress.step].label}
      </p>
      <svg viewBox={`0 0 ${width} 86`} role="img" aria-label={`Setup progress: step ${at + 1} of ${SETUP_STEPS.length}`}>
        <line x1={R + 40} y1={30} x2={width - R - 40} y2={30} className="setup-indicator-track" />
        <line x1={R + 40} y1={30} x2={R + 40 + GAP * at} y2={30} className="setup-indicator-done-track" />
        {SETUP_STEPS.map((step, i) => {
          const x = R + 40 + GAP * i;
          const outcome = progress.outcomes[step];
          const kind = i === at ? 'current' : outcome === 'skipped' ? 'skipped' : outcome === 'done' ? 'done' : 'ahead';
          return (
            <g key={step} className={`setup-dot setup-dot-${kind}`}>
              <circle cx={x} cy={30} r={R} />
              {kind === 'done' && <path d={`M ${x - 8} ${30} l 6 6 l 11 -12`} className="setup-tick" />}
              {kind === 'skipped' && <line x1={x - 8} y1={30} x2={x + 8} y2={30} className="setup-dash" />}
              {(kind === 'current' || kind === 'ahead') && (
                <text x={x} y={36} textAnchor="middle" className="setup-dot-number">
                  {i + 1}
                </text>
              )}
              <text x={x} y={76} textAnchor="middle" className="setup-dot-label">
                {STEP_INFO[step].label}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
