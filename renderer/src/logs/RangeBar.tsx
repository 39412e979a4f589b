import { Button } from '../design/Button.js';
import { formatLocalTime } from '../design/format.js';
import { LOG_RANGES, useLogsStore } from './logsStore.js';

/**
 * The time range everything on the screen covers, and Refresh: the range ends when it was read, so
 * Refresh moves its end to now and reads the log again.
 */
export function RangeBar() {
  const { range, setRange, refresh, summaryState, loading } = useLogsStore();
  const busy = summaryState.status === 'loading' || loading;
  return (
    <div className="log-range" role="group" aria-label="Time range">
      <div className="range-chips">
        {LOG_RANGES.map((r) => (
          <button key={r.id} type="button" className="filter-chip" aria-pressed={range === r.id} onClick={() => setRange(r.id)}>
            {r.label}
          </button>
        ))}
      </div>
      <p className="muted range-status" aria-live="polite" data-testid="range-status">
        {busy ? 'Reading the log…' : summaryState.status === 'ready' ? `Up to ${formatLocalTime(summaryState.summary.until)}` : ''}
      </p>
      {/* Not disabled while reading: a disabled button drops the focus a d-pad user relies on. */}
      <Button onClick={() => !busy && refresh()} aria-disabled={busy} aria-busy={busy}>
        Refresh
      </Button>
    </div>
  );
}
