/** How far, in whole percent, as the bar draws it: the number and the bar always agree. */
export function progressPercent(value: number, max: number): number {
  if (!(max > 0)) return 0;
  return Math.floor(Math.min(100, Math.max(0, (value / max) * 100)));
}

/**
 * A determinate progress bar: its label and the percentage on one line, what the percentage is of
 * ("1.2 MB of 3.0 MB") under it, so a narrow card wraps the words instead of pushing them out.
 */
export function ProgressBar({ label, value, max, detail, testId }: { label: string; value: number; max: number; detail: string; testId?: string }) {
  const percent = progressPercent(value, max);
  return (
    <div className="progress-block" data-testid={testId}>
      <div className="progress-head">
        <span>{label}</span>
        <span className="progress-value">{percent}&nbsp;%</span>
      </div>
      <div
        className="progress determinate"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value}
        aria-valuetext={`${detail} · ${percent} %`}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-detail">{detail}</span>
    </div>
  );
}
