/**
 * Discrete Fréchet distance between two polylines given as flat [x0, y0, x1, y1, ...] arrays (metres),
 * decided against a bound: the answer is exact when it is at most `bound`, and Infinity as soon as a
 * whole row of the coupling table exceeds it (no coupling can come back under). Couplings are kept
 * within `band` indices of the diagonal (Sakoe-Chiba) when given: for two resamplings of curves of
 * nearly the same length, that is where the coupling runs, and it makes a comparison linear in the band.
 * O(n·m) time at worst (O(n·band) with a band), O(m) memory.
 */
export function discreteFrechet(a: ArrayLike<number>, b: ArrayLike<number>, bound = Infinity, band?: number): number {
  const n = a.length / 2;
  const m = b.length / 2;
  if (n === 0 || m === 0) return Infinity;
  const bound2 = bound * bound;
  let previous = new Float64Array(m).fill(Infinity);
  let current = new Float64Array(m).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const ax = a[2 * i]!;
    const ay = a[2 * i + 1]!;
    // The band follows the diagonal of the n x m table.
    const centre = n === 1 ? 0 : Math.round((i * (m - 1)) / (n - 1));
    const from = band === undefined ? 0 : Math.max(0, centre - band);
    const to = band === undefined ? m - 1 : Math.min(m - 1, centre + band);
    current.fill(Infinity);
    let rowMin = Infinity;
    for (let j = from; j <= to; j++) {
      const dx = ax - b[2 * j]!;
      const dy = ay - b[2 * j + 1]!;
      const d = dx * dx + dy * dy;
      let reach: number;
      if (i === 0 && j === 0) reach = d;
      else if (i === 0) reach = Math.max(d, current[j - 1]!);
      else if (j === 0) reach = Math.max(d, previous[0]!);
      else reach = Math.max(d, Math.min(previous[j]!, previous[j - 1]!, current[j - 1]!));
      current[j] = reach;
      if (reach < rowMin) rowMin = reach;
    }
    if (rowMin > bound2) return Infinity;
    [previous, current] = [current, previous];
  }
  const last = previous[m - 1]!;
  return last > bound2 ? Infinity : Math.sqrt(last);
}
