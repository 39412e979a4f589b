/**
 * Sets of line sequence numbers (a log file's dropped lines, its unsynced ones) kept as sorted,
 * merged runs, so an outage of a million lines is one run. Bounded: past `maxRuns` the oldest runs
 * are forgotten, and a count reaching back into them counts that whole span, erring towards
 * "not written" rather than claiming lines that may be gone.
 */
export class LineRuns {
  /** Sorted by `from`, disjoint, not touching. Inclusive bounds. */
  private runs: { from: number; to: number }[] = [];
  private forgottenThrough = 0;

  constructor(private readonly maxRuns = 1024) {}

  /** Adds the lines `from` to `to` (inclusive). Usually at the end: lines mostly fail in order. */
  add(from: number, to: number): void {
    if (to < from) return;
    let at = this.runs.length;
    while (at > 0 && this.runs[at - 1]!.from > from) at--;
    this.runs.splice(at, 0, { from, to });
    // Merge with the run before, then swallow the runs after that it reaches.
    const i = at > 0 && this.runs[at - 1]!.to + 1 >= from ? at - 1 : at;
    const run = this.runs[i]!;
    if (i !== at) {
      run.to = Math.max(run.to, to);
      this.runs.splice(at, 1);
    }
    while (i + 1 < this.runs.length && this.runs[i + 1]!.from <= run.to + 1) {
      run.to = Math.max(run.to, this.runs[i + 1]!.to);
      this.runs.splice(i + 1, 1);
    }
    while (this.runs.length > this.maxRuns) {
      this.forgottenThrough = Math.max(this.forgottenThrough, this.runs.shift()!.to);
    }
  }

  /** How many lines after `after` up to `through` are in the set (forgotten spans count whole). */
  count(after: number, through: number): number {
    let total = 0;
    let from = after;
    if (from < this.forgottenThrough) {
      total += Math.min(through, this.forgottenThrough) - from;
      from = this.forgottenThrough;
    }
    for (const run of this.runs) {
      if (run.to <= from) continue;
      if (run.from > through) break;
      total += Math.min(run.to, through) - Math.max(run.from - 1, from);
    }
    return Math.max(0, total);
  }

  /** The runs of lines after `after` up to `through` that are not in the set. */
  gaps(after: number, through: number): { from: number; to: number }[] {
    const out: { from: number; to: number }[] = [];
    let next = after + 1;
    for (const run of this.runs) {
      if (run.to < next) continue;
      if (run.from > through) break;
      if (run.from > next) out.push({ from: next, to: run.from - 1 });
      next = run.to + 1;
    }
    if (next <= through) out.push({ from: next, to: through });
    return out;
  }
}
