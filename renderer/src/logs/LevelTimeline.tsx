import type { LogSummary } from '../../../src/api/contract.js';
import { LOG_LEVELS } from '../../../src/logging/logRecord.js';
import { formatLocalTime } from '../design/format.js';
import { LEVEL_LABELS } from './logLabels.js';

/** Times of day for a range of hours, day and time up to a few days, dates beyond; always local time. */
function axisTime(iso: string, summary: LogSummary): string {
  const span = Date.parse(summary.until) - Date.parse(summary.since);
  return formatLocalTime(iso, { dayOnly: span > 3 * 24 * 3_600_000 });
}

const HEIGHT = 120;

/** Entries per time bucket, stacked by level (most severe on top), on the range's own scale. */
export function LevelTimeline({ summary }: { summary: LogSummary }) {
  const totals = summary.timeline.map((b) => LOG_LEVELS.reduce((n, l) => n + b.counts[l], 0));
  const max = Math.max(1, ...totals);
  const width = summary.timeline.length;
  const byLevel = Object.fromEntries(LOG_LEVELS.map((l) => [l, summary.timeline.reduce((n, b) => n + b.counts[l], 0)]));
  const label = `Entries over time: ${LOG_LEVELS.map((l) => `${byLevel[l]} ${LEVEL_LABELS[l].toLowerCase()}`).join(', ')}; at most ${max} in one bucket.`;
  return (
    <figure className="level-timeline">
      <svg viewBox={`0 0 ${width} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={label} data-testid="level-timeline">
        {summary.timeline.map((bucket, i) => {
          let y = HEIGHT;
          return LOG_LEVELS.map((level) => {
            const h = (bucket.counts[level] / max) * (HEIGHT - 4);
            if (h <= 0) return null;
            y -= h;
            return <rect key={`${i}-${level}`} className={`bar level-${level}`} x={i + 0.1} y={y} width={0.8} height={h} />;
          });
        })}
      </svg>
      <div className="timeline-axis">
        <span>{axisTime(summary.since, summary)}</span>
        <span>{axisTime(summary.until, summary)}</span>
      </div>
      <figcaption className="timeline-max">
        Each bar: {bucketWords(summary.bucketMs)} · tallest {max}
      </figcaption>
      <ul className="level-legend">
        {LOG_LEVELS.map((level) => (
          <li key={level} className={`level-${level}`}>
            <span className="legend-swatch" aria-hidden="true" />
            {LEVEL_LABELS[level]} <strong>{byLevel[level]}</strong>
          </li>
        ))}
      </ul>
    </figure>
  );
}

function bucketWords(ms: number): string {
  return ms >= 3_600_000 ? `${Math.round(ms / 3_600_000)} h` : `${Math.max(1, Math.round(ms / 60_000))} min`;
}
