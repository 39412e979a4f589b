import type { ReactNode } from 'react';

/** A labelled bar: where a value sits between its limits, coloured at the warning thresholds. */
export function Meter(props: { label: string; value: number; min?: number; max: number; display: string; warnAt?: number; dangerAt?: number; children?: ReactNode; testId?: string }) {
  const { label, value, min = 0, max, display, warnAt, dangerAt } = props;
  const fraction = max > min ? Math.min(1, Math.max(0, (value - min) / (max - min))) : 0;
  const level = dangerAt !== undefined && value >= dangerAt ? 'danger' : warnAt !== undefined && value >= warnAt ? 'warn' : '';
  return (
    <div className="meter" role="meter" aria-label={label} aria-valuemin={min} aria-valuemax={max} aria-valuenow={value} aria-valuetext={display} data-testid={props.testId}>
      <div className="meter-head">
        <span>{label}</span>
        <span className="meter-value">{display}</span>
      </div>
      <div className="meter-track">
        <div className={`meter-fill ${level}`} style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
      {props.children}
    </div>
  );
}
