import type { HealthSnapshot } from '../../../src/api/contract.js';
import { TrendChart } from '../design/TrendChart.js';

interface Series {
  title: string;
  unit: string;
  points: { t: number; v: number }[];
  /** A fixed scale, so that noise never looks like change (readings beyond it widen it); GPS grows with its data. */
  min: number;
  max?: number;
  digits: number;
}

/** The health history of the range as line charts: CPU, temperature, battery, GPS time to lock. */
export function HealthCharts({ history }: { history: HealthSnapshot[] }) {
  const at = (s: HealthSnapshot) => Date.parse(s.takenAt);
  const series: Series[] = [
    { title: 'CPU load', unit: '%', min: 0, max: 100, digits: 0, points: history.map((s) => ({ t: at(s), v: s.cpuLoadPercent })) },
    {
      title: 'Temperature',
      unit: '°C',
      min: 20,
      max: 90,
      digits: 1,
      points: history.filter((s) => s.temperatureC !== null).map((s) => ({ t: at(s), v: s.temperatureC! })),
    },
    {
      title: 'Battery',
      unit: '%',
      min: 0,
      max: 100,
      digits: 0,
      points: history.filter((s) => s.battery).map((s) => ({ t: at(s), v: s.battery!.percent })),
    },
    {
      title: 'GPS time to lock',
      unit: 's',
      min: 0,
      digits: 1,
      points: history.filter((s) => s.gps?.timeToLockMs != null).map((s) => ({ t: at(s), v: s.gps!.timeToLockMs! / 1000 })),
    },
  ];
  const shown = series.filter((s) => s.points.length > 0);
  if (shown.length === 0) return <p className="muted">No health history in this range yet.</p>;
  return (
    <div className="health-charts" data-testid="health-charts">
      {shown.map((s) => (
        <LineChart key={s.title} series={s} />
      ))}
    </div>
  );
}

function LineChart({ series }: { series: Series }) {
  const values = series.points.map((p) => p.v);
  const latest = values.at(-1)!;
  const fmt = (v: number) => `${v.toFixed(series.digits)}\u00a0${series.unit}`;
  const caption = (
    <figcaption>
      <span>{series.title}</span>
      <strong>{fmt(latest)}</strong>
    </figcaption>
  );
  // One reading is not a line: the value, and a word that more is coming (the chart says it).
  return (
    <figure className="line-chart" data-testid="health-chart">
      {caption}
      <TrendChart points={series.points} min={series.min} max={series.max} unit={series.unit} label={series.title} height={90} />
    </figure>
  );
}
