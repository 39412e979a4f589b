/** A determinate progress bar with its label and a readable value ("1.2 MB of 3.0 MB · 40 %"). */
export function ProgressBar({ label, value, max, display, testId }: { label: string; value: number; max: number; display: string; testId?: string }) {
  const percent = max > 0 ? Math.min(100, Math.max(0, (value / max) * 100)) : 0;
  return (
    <div className="progress-block" data-testid={testId}>
      <div className="progress-head">
        <span>{label}</span>
        <span className="progress-value">{display}</span>
      </div>
      <div
        className="progress determinate"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value}
        aria-valuetext={display}
      >
        <div className="progress-fill" style={{ width: `${percent.toFixed(1)}%` }} />
      </div>
    </div>
  );
}
