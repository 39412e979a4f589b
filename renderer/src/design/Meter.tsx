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
    /** The value, large: short enough for one line ("1.9 GB", "85 %"). */
    display: string;
    /** What goes with it, smaller under it ("of 25.3 GB", "charging"). */
    detail?: string;
    /** The value read out, when not the value and its detail one after the other. */
    valueText?: string;
    scale?: string;
    children?: ReactNode;
    testId?: string;
  } & MeterThresholds,
) {
  const { label, value, min = 0, max, display, detail, scale } = props;
  const valueText = props.valueText ?? (detail ? `${display} ${detail}` : display);
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
      aria-valuetext={scale ? `${valueText} · ${scale}` : valueText}
      data-testid={props.testId}
      data-level={level}
    >
      <div className="meter-head">
        <span>{label}</span>
        <span className="meter-value">{display}</span>
        {detail && (
          <>
            {' '}
            <span className="meter-detail">{detail}</span>
          </>
        )}
      </div>
      <div className="meter-track">
        <div className={`meter-fill ${level === 'ok' ? '' : level}`} style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
      {scale && <span className="meter-scale">{scale}</span>}
      {props.children && <div className="meter-extra">{props.children}</div>}
    </div>
  );
}
