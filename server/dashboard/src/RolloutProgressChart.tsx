import type { RolloutDetail, RolloutDeviceStatus } from '../../../src/fleet/updateApi.js';

const WIDTH = 1100;
const BAR_HEIGHT = 36;
const LINE_HEIGHT = 200;
const LEFT = 48;
const BOTTOM = 28;
const TOP = 12;

/** Where the headsets are, in the order an update goes; the two failures last. */
export const STATUS_LABELS: Record<RolloutDeviceStatus, string> = {
  offered: 'Offered',
  downloading: 'Downloading',
  installed: 'Installed, not yet confirmed',
  committed: 'Committed',
  rolled_back: 'Rolled back',
  failed: 'Failed',
};
const ORDER: RolloutDeviceStatus[] = ['committed', 'installed', 'downloading', 'offered', 'rolled_back', 'failed'];
/** Lines over time: how many were offered, committed and failed (rolled back or failed), cumulatively. */
const LINES = [
  { key: 'offered', label: 'Offered', statuses: ['offered'] },
  { key: 'committed', label: 'Committed', statuses: ['committed'] },
  { key: 'failures', label: 'Failures', statuses: ['rolled_back', 'failed'] },
] as const;

function niceCeiling(n: number): number {
  if (n <= 0) return 10;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

const shortHour = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

/**
 * A rollout's progress: one stacked bar of where the headsets of the current phase are now (those
 * not yet offered last), and the cumulative offered, committed and failed headsets per hour. SVG
 * drawn by hand like the telemetry chart, with the numbers in a table under it.
 */
export function RolloutProgressChart({ rollout }: { rollout: RolloutDetail }) {
  const offered = ORDER.reduce((n, s) => n + rollout.counts[s], 0);
  const notYet = Math.max(0, rollout.eligible - offered);
  const total = Math.max(1, offered + notYet);
  const plot = WIDTH - LEFT;
  let x = LEFT;
  const segments = ORDER.map((status) => {
    const width = (rollout.counts[status] / total) * plot;
    const segment = { status, x, width, count: rollout.counts[status] };
    x += width;
    return segment;
  });

  const hours = [...new Set(rollout.timeline.map((t) => t.hour))].sort();
  let running = { offered: 0, committed: 0, failures: 0 };
  // From nothing at the start, then the totals at the end of each hour with reports.
  const start = { hour: rollout.createdAt, label: 'Start', offered: 0, committed: 0, failures: 0 };
  const hourly = hours.map((hour) => {
    const at = rollout.timeline.filter((t) => t.hour === hour);
    const add = (statuses: readonly string[]) => at.filter((t) => statuses.includes(t.status)).reduce((n, t) => n + t.count, 0);
    running = {
      offered: running.offered + add(LINES[0].statuses),
      committed: running.committed + add(LINES[1].statuses),
      failures: running.failures + add(LINES[2].statuses),
    };
    return { hour, label: shortHour(hour), ...running };
  });
  const points = hourly.length > 0 ? [start, ...hourly] : [];
  const top = niceCeiling(Math.max(0, ...points.map((p) => p.offered)));
  const plotHeight = LINE_HEIGHT - TOP - BOTTOM;
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  // Inset so the first and last points' marks and labels stay inside.
  const inset = 12;
  const stepInset = points.length > 1 ? (plot - 2 * inset) / (points.length - 1) : 0;
  const px = (i: number) => LEFT + inset + i * stepInset;
  const labelEvery = Math.ceil(points.length / 8);

  return (
    <figure className="chart rollout-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${BAR_HEIGHT}`}
        role="img"
        aria-label={`Now: ${offered} of ${offered + notYet} headsets offered, ${rollout.counts.committed} committed`}
      >
        {segments.map(
          (s) =>
            s.width > 0 && (
              <rect key={s.status} x={s.x} y={0} width={s.width} height={BAR_HEIGHT} className={`status-${s.status}`} data-status={s.status}>
                <title>{`${STATUS_LABELS[s.status]}: ${s.count}`}</title>
              </rect>
            ),
        )}
        {notYet > 0 && (
          <rect x={x} y={0} width={(notYet / total) * plot} height={BAR_HEIGHT} className="status-waiting">
            <title>{`Not offered yet: ${notYet}`}</title>
          </rect>
        )}
        <text x={LEFT - 6} y={BAR_HEIGHT / 2 + 4} textAnchor="end" className="axis">
          Now
        </text>
      </svg>
      <figcaption className="legend">
        {ORDER.map((s) => (
          <span key={s}>
            <span className={`swatch status-${s}`} /> {STATUS_LABELS[s]} {rollout.counts[s]}
          </span>
        ))}
        <span>
          <span className="swatch status-waiting" /> Not offered yet {notYet}
        </span>
      </figcaption>
      {points.length > 0 && (
        <svg
          viewBox={`0 0 ${WIDTH} ${LINE_HEIGHT}`}
          role="img"
          aria-label={`Over time: ${running.committed} committed, ${running.failures} failures`}
        >
          {[0, 0.5, 1].map((f) => (
            <g key={f}>
              <line x1={LEFT} x2={WIDTH} y1={y(top * f)} y2={y(top * f)} className="gridline" />
              <text x={LEFT - 6} y={y(top * f) + 4} textAnchor="end" className="axis">
                {Math.round(top * f).toLocaleString()}
              </text>
            </g>
          ))}
          {LINES.map((line) => (
            <g key={line.key} className={`line ${line.key}`} data-line={line.key}>
              <polyline fill="none" points={points.map((p, i) => `${px(i)},${y(p[line.key])}`).join(' ')} />
              {points.map((p, i) => (
                <circle key={p.hour} cx={px(i)} cy={y(p[line.key])} r={4}>
                  <title>{`${line.label} by ${p.label}: ${p[line.key]}`}</title>
                </circle>
              ))}
            </g>
          ))}
          {points.map((p, i) =>
            i % labelEvery === 0 || i === points.length - 1 ? (
              <text
                key={p.hour}
                x={px(i)}
                y={LINE_HEIGHT - 8}
                textAnchor={i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle'}
                className="axis"
              >
                {p.label}
              </text>
            ) : null,
          )}
        </svg>
      )}
      {points.length > 0 && (
        <figcaption className="legend">
          {LINES.map((line) => (
            <span key={line.key}>
              <span className={`swatch line-${line.key}`} /> {line.label}, in all
            </span>
          ))}
        </figcaption>
      )}
      <details>
        <summary>The numbers</summary>
        <table>
          <thead>
            <tr>
              <th>Hour (UTC)</th>
              <th>Offered</th>
              <th>Committed</th>
              <th>Failures</th>
            </tr>
          </thead>
          <tbody>
            {hourly.map((p) => (
              <tr key={p.hour}>
                <td>{p.label}</td>
                <td>{p.offered}</td>
                <td>{p.committed}</td>
                <td>{p.failures}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
