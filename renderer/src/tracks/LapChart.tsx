import type { Lap } from '../../../src/api/contract.js';
import { barFraction, gapToBest, lapTime } from './lapTime.js';

/**
 * A session's laps as a chart: one row per lap, its time, a bar whose length is the time (the best
 * lap shortest, highlighted), the gap to the best, and why a lap does not count (a pit stop, a gap in
 * the GPS). Each row is focusable, so the arrows walk the laps and a screen reader reads each one.
 */
export function LapChart({ laps, bestLapNumber }: { laps: readonly Lap[]; bestLapNumber: number | null }) {
  const best = laps.find((l) => l.number === bestLapNumber);
  const slowest = Math.max(...laps.map((l) => l.timeMs));
  return (
    <ol className="lap-chart" data-testid="lap-chart" aria-label="Lap times">
      {laps.map((lap) => {
        const isBest = lap.number === bestLapNumber;
        const note = lap.pit ? 'Pit stop' : lap.valid ? null : 'GPS gap: not counted';
        const gap = best && lap.valid ? gapToBest(lap.timeMs, best.timeMs) : null;
        const spoken = `Lap ${lap.number}: ${lapTime(lap.timeMs)}${isBest ? ', best lap' : gap ? `, ${gap} to the best` : ''}${note ? `, ${note}` : ''}`;
        return (
          <li
            key={lap.number}
            className={`lap-row${isBest ? ' best' : ''}${note ? ' excluded' : ''}`}
            tabIndex={0}
            aria-label={spoken}
            data-testid="lap-row"
          >
            <span className="lap-number">Lap {lap.number}</span>
            <span className="lap-time mono">{lapTime(lap.timeMs)}</span>
            <span className="lap-bar" aria-hidden="true">
              <span style={{ width: `${(barFraction(lap.timeMs, best?.timeMs ?? slowest, slowest) * 100).toFixed(1)}%` }} />
            </span>
            <span className="lap-note">{isBest ? <span className="badge ok">Best</span> : (note ?? gap)}</span>
          </li>
        );
      })}
    </ol>
  );
}
