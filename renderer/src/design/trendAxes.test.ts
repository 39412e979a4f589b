import { describe, expect, it } from 'vitest';
import { trendAxes } from './trendAxes.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const minutesAgo = (m: number) => NOW - m * 60_000;

describe('trendAxes', () => {
  it('labels the value axis with its unit, top to bottom, and the time axis from the first reading to now', () => {
    const axes = trendAxes(
      [
        { t: minutesAgo(12), v: 41.2 },
        { t: minutesAgo(0.2), v: 44.9 },
      ],
      { min: 20, max: 90, unit: '°C' },
      NOW,
    );
    expect(axes).toEqual({ lo: 20, hi: 90, values: ['90\u00a0°C', '55\u00a0°C', '20\u00a0°C'], times: ['12 min ago', 'now'] });
  });

  it('says how far back a short line starts: seconds, not "now" at both ends', () => {
    const axes = trendAxes(
      [
        { t: NOW - 40_000, v: 10 },
        { t: NOW - 1_000, v: 12 },
      ],
      { min: 0, max: 100, unit: '%' },
      NOW,
    );
    expect(axes.times).toEqual(['40 s ago', 'now']);
  });

  it('widens the scale past a reading beyond it, and halves to one decimal', () => {
    const axes = trendAxes(
      [
        { t: minutesAgo(3), v: 50 },
        { t: minutesAgo(1), v: 109 },
      ],
      { min: 20, max: 90, unit: '°C' },
      NOW,
    );
    expect(axes.values).toEqual(['110\u00a0°C', '65\u00a0°C', '20\u00a0°C']);
    expect(trendAxes([{ t: NOW, v: 2.4 }], { min: 0, unit: 's' }, NOW).values).toEqual(['3\u00a0s', '1.5\u00a0s', '0\u00a0s']);
  });

  it('gives clock times for a range that ended long ago', () => {
    const axes = trendAxes(
      [
        { t: minutesAgo(60 * 30), v: 10 },
        { t: minutesAgo(60 * 26), v: 12 },
      ],
      { min: 0, max: 100, unit: '%' },
      NOW,
    );
    expect(axes.times.every((label) => /\d{1,2}:\d{2}/.test(label))).toBe(true);
  });
});
