import type { ReactNode } from 'react';
import { meterLevel, type MeterThresholds } from './meterLevel.js';

/**
 * A labelled bar: where a value sits between its limits, coloured at the warning thresholds (high
 * ones, low ones or both). `scale` says what the bar counts when the headline value is about
 * something else (GPS: the lock time above, the satellites in the bar).
 */
export function Meter(
  props: {
    label: string;
    value: number;
    min?: number;
    max: number;
    display: string;
    scale?: string;
    children?: ReactNode;
    testId?: string;
  } & MeterThresholds,
) {
  const { label, value, min = 0, max, display, scale } = props;
  const fraction = max > min ? Math.min(1, Math.max(0, (value - min) / (max - min))) : 0;
  const level = meterLevel(value, props);
  return (
    <div
      className="meter"
      role="meter"
      aria-label={label}
      aria-valuemin={min}
      aria-valuemax={max}
      aria-valuenow={value}
      aria-valuetext={scale ? `${display} · ${scale}` : display}
      data-testid={props.testId}
      data-level={level}
    >
      <div className="meter-head">
        <span>{label}</span>
        <span className="meter-value">{display}</span>
      </div>
      <div className="meter-track">
        <div className={`meter-fill ${level === 'ok' ? '' : level}`} style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
      {scale && <span className="meter-scale">{scale}</span>}
      {props.children}
    </div>
  );
}
