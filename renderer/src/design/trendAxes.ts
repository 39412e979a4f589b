import { chartScale } from './chartScale.js';
import { formatAge, formatLocalTime } from './format.js';

export interface TrendPoint {
  /** When (ms since the epoch). */
  t: number;
  v: number;
}

export interface TrendAxes {
  lo: number;
  hi: number;
  /** The value axis, top to bottom: its top, middle and bottom, with the unit. */
  values: [string, string, string];
  /** The time axis: when the line starts and when it ends ("now" when that is the latest reading). */
  times: [string, string];
}

/**
 * The axes of a trend line: the value scale (fixed, widened past a reading beyond it) labelled with
 * its unit, and the time it covers, in words a wearer reads at a glance.
 */
export function trendAxes(points: readonly TrendPoint[], scale: { min: number; max?: number; unit: string }, now: number): TrendAxes {
  const { lo, hi } = chartScale(
    points.map((p) => p.v),
    scale.min,
    scale.max,
  );
  const value = (v: number) => `${Number.isInteger(v) ? v : v.toFixed(1)}\u00a0${scale.unit}`;
  const first = points[0]?.t ?? now;
  const last = points.at(-1)?.t ?? now;
  return { lo, hi, values: [value(hi), value((lo + hi) / 2), value(lo)], times: [timeLabel(first, now, 0), timeLabel(last, now, 90_000)] };
}

/**
 * Within `nowWithin` ms: "now" (the line's end, a reading of the last minute and a half); within two
 * hours: "40 s ago", "12 min ago"; else the clock ("Mar 3, 14:05").
 */
function timeLabel(t: number, now: number, nowWithin: number): string {
  const ago = now - t;
  if (ago < nowWithin) return 'now';
  if (ago < 2 * 3_600_000) return formatAge(new Date(t).toISOString(), now);
  return formatLocalTime(new Date(t).toISOString(), { now });
}
