import { useEffect, useState } from 'react';
import { trendAxes, type TrendPoint } from './trendAxes.js';
import './trendChart.css';

/**
 * A trend line with its axes: the value scale with its unit on the left (fixed, so a flat line means
 * "steady", widened past a reading beyond it), the time it covers underneath. Points are placed by
 * their time, so a gap in the readings is a gap in the line's pace, not hidden.
 */
export function TrendChart({
  points,
  min,
  max,
  unit,
  label,
  height = 56,
  testId,
}: {
  points: readonly TrendPoint[];
  min: number;
  max?: number;
  unit: string;
  label: string;
  height?: number;
  testId?: string;
}) {
  const clock = useMinuteClock();
  if (points.length < 2) {
    return (
      <p className="trend-collecting" style={{ minHeight: height }} data-testid={testId}>
        Collecting readings…
      </p>
    );
  }
  // The clock ticks every half minute; a reading newer than its last tick is "now" itself.
  const axes = trendAxes(points, { min, max, unit }, Math.max(clock, points.at(-1)!.t));
  const t0 = points[0]!.t;
  const span = Math.max(1, points.at(-1)!.t - t0);
  const line = points
    .map((p) => `${(((p.t - t0) / span) * 100).toFixed(2)},${(39 - ((p.v - axes.lo) / (axes.hi - axes.lo)) * 38).toFixed(2)}`)
    .join(' ');
  const values = points.map((p) => p.v);
  const fmt = (v: number) => `${Number.isInteger(v) ? v : v.toFixed(1)}\u00a0${unit}`;
  return (
    <figure
      className="trend"
      role="img"
      aria-label={`${label} from ${axes.times[0]} to ${axes.times[1]}: between ${fmt(Math.min(...values))} and ${fmt(Math.max(...values))}, on a scale of ${axes.values[2]} to ${axes.values[0]}`}
      data-testid={testId}
    >
      <div className="trend-values" aria-hidden="true">
        {axes.values.map((text, i) => (
          <span key={i}>{text}</span>
        ))}
      </div>
      <svg className="trend-plot" viewBox="0 0 100 40" preserveAspectRatio="none" style={{ height }} aria-hidden="true">
        <line x1="0" x2="100" y1="1" y2="1" />
        <line x1="0" x2="100" y1="20" y2="20" />
        <line x1="0" x2="100" y1="39" y2="39" />
        <polyline points={line} />
      </svg>
      <div className="trend-times" aria-hidden="true">
        <span>{axes.times[0]}</span>
        <span>{axes.times[1]}</span>
      </div>
    </figure>
  );
}

/** The time the axis labels are relative to, refreshed every half minute ("12 min ago" moves on). */
function useMinuteClock(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
