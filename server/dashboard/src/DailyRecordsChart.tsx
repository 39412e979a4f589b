import type { TelemetryDay } from '../../../src/fleet/telemetryApi.js';

const WIDTH = 1100;
const HEIGHT = 220;
const LEFT = 48;
const BOTTOM = 28;
const TOP = 12;

/** A round top for the axis: 1, 2 or 5 times a power of ten, at least `n`. */
function niceCeiling(n: number): number {
  if (n <= 0) return 10;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

const shortDay = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

/**
 * Records per day as stacked bars (log records under metric points), crashes as a mark above the
 * day; an SVG drawn by hand (no chart library for one chart), with a table of the same numbers
 * folded under it for screen readers and for copying.
 */
export function DailyRecordsChart({ days }: { days: TelemetryDay[] }) {
  const top = niceCeiling(Math.max(0, ...days.map((d) => d.logRecords + d.metricPoints)));
  const plotWidth = WIDTH - LEFT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const total = days.reduce((n, d) => n + d.logRecords + d.metricPoints, 0);
  const labelEvery = Math.ceil(days.length / 10);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Records per day over ${days.length} days: ${total} in all`}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={LEFT} x2={WIDTH} y1={y(top * f)} y2={y(top * f)} className="gridline" />
            <text x={LEFT - 6} y={y(top * f) + 4} textAnchor="end" className="axis">
              {Math.round(top * f).toLocaleString()}
            </text>
          </g>
        ))}
        {days.map((d, i) => {
          const x = LEFT + i * slot + (slot - barWidth) / 2;
          return (
            <g key={d.day} data-day={d.day}>
              <title>{`${d.day}: ${d.logRecords} log records, ${d.metricPoints} metric points, ${d.crashes} crashes`}</title>
              <rect x={x} width={barWidth} y={y(d.logRecords)} height={y(0) - y(d.logRecords)} className="bar logs" />
              <rect
                x={x}
                width={barWidth}
                y={y(d.logRecords + d.metricPoints)}
                height={y(d.logRecords) - y(d.logRecords + d.metricPoints)}
                className="bar points"
              />
              {d.crashes > 0 && <circle cx={x + barWidth / 2} cy={y(d.logRecords + d.metricPoints) - 7} r={4} className="crash-mark" />}
              {(i % labelEvery === 0 || i === days.length - 1) && (
                <text x={x + barWidth / 2} y={HEIGHT - 8} textAnchor="middle" className="axis">
                  {shortDay(d.day)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        <span className="swatch logs" /> Log records (events, error lines, crash records) <span className="swatch points" /> Metric points{' '}
        <span className="swatch crash" /> A day with crashes
      </figcaption>
      <details>
        <summary>The numbers</summary>
        <table>
          <thead>
            <tr>
              <th>Day</th>
              <th>Log records</th>
              <th>Metric points</th>
              <th>Crashes</th>
            </tr>
          </thead>
          <tbody>
            {days
              .filter((d) => d.logRecords + d.metricPoints > 0)
              .map((d) => (
                <tr key={d.day}>
                  <td>{d.day}</td>
                  <td>{d.logRecords}</td>
                  <td>{d.metricPoints}</td>
                  <td>{d.crashes}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
