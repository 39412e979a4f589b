/**
 * The scale of a trend line or chart: fixed (so noise never looks like change) but never cutting a
 * reading off. Readings beyond the fixed limits widen it to the next round number past them (a
 * 109 °C reading on a 20–90 °C scale gives 20–110 °C). Without a fixed top it grows with the data.
 */
export function chartScale(values: readonly number[], min: number, max?: number): { lo: number; hi: number } {
  const finite = values.filter(Number.isFinite);
  const lowest = finite.length ? Math.min(...finite) : min;
  const highest = finite.length ? Math.max(...finite) : (max ?? min + 1);
  const lo = lowest < min ? Math.floor(lowest / ROUND) * ROUND : min;
  const top = max === undefined ? Math.ceil(highest) : highest > max ? Math.ceil(highest / ROUND) * ROUND : max;
  return { lo, hi: Math.max(top, lo + 1) };
}

const ROUND = 10;
