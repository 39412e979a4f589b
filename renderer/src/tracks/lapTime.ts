/** A lap or sector time as timing screens show it: `1:02.35` (minutes only from a minute up: `58.07`). */
export function lapTime(ms: number): string {
  const hundredths = Math.round(ms / 10);
  const minutes = Math.floor(hundredths / 6000);
  const seconds = (hundredths % 6000) / 100;
  const text = seconds.toFixed(2);
  return minutes > 0 ? `${minutes}:${text.padStart(5, '0')}` : text;
}

/** A difference to the best: `+0.81`, or `best` for none. */
export function gapToBest(ms: number, bestMs: number): string {
  const gap = ms - bestMs;
  return gap <= 0 ? 'best' : `+${lapTime(gap)}`;
}

/** Where a lap's bar ends, 0..1: the scale starts a little under the best so the differences show. */
export function barFraction(ms: number, bestMs: number, slowestMs: number): number {
  const floor = bestMs * 0.97;
  const top = Math.max(slowestMs, bestMs * 1.02);
  return Math.min(1, Math.max(0.04, (ms - floor) / (top - floor)));
}
