import { chartScale } from './chartScale.js';

/**
 * A trend line of recent values on a fixed scale, so a flat line means "steady", not "zoomed"; a
 * reading beyond the scale widens it rather than being drawn flat against its edge.
 */
export function Sparkline({ values, min, max, label }: { values: number[]; min: number; max: number; label: string }) {
  if (values.length < 2) return <svg className="sparkline" role="img" aria-label={`${label}: collecting`} />;
  const { lo, hi } = chartScale(values, min, max);
  const span = hi - lo;
  const points = values.map((v, i) => `${((i / (values.length - 1)) * 100).toFixed(2)},${(40 - ((v - lo) / span) * 38 - 1).toFixed(2)}`).join(' ');
  return (
    <svg className="sparkline" viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label={`${label} trend`}>
      <polyline points={points} />
    </svg>
  );
}
