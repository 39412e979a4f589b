import type { UpdateHistoryEntry } from '../../../src/api/contract.js';
import { formatDateTime } from '../design/format.js';

const OUTCOMES: Record<UpdateHistoryEntry['outcome'], { label: string; tone: string }> = {
  committed: { label: 'committed', tone: 'ok' },
  'rolled-back': { label: 'rolled back', tone: 'warn' },
  failed: { label: 'failed', tone: 'danger' },
  'manual-rollback': { label: 'manual rollback', tone: 'accent' },
};

/** Installs and rollbacks as a vertical timeline, newest first (the order update.history gives). */
export function HistoryTimeline({ entries }: { entries: UpdateHistoryEntry[] | undefined }) {
  if (!entries) return <p className="muted">Loading…</p>;
  if (entries.length === 0)
    return (
      <p className="muted" data-testid="history-empty">
        No updates or rollbacks yet.
      </p>
    );
  return (
    <ol className="timeline" aria-label="Update history" data-testid="history">
      {entries.map((entry) => {
        const outcome = OUTCOMES[entry.outcome];
        return (
          <li
            key={`${entry.finishedAt}-${entry.outcome}-${entry.version}`}
            className={`timeline-item ${outcome.tone}`}
            data-testid="history-entry"
            data-outcome={entry.outcome}
          >
            <span className="timeline-dot" aria-hidden="true" />
            <div className="timeline-head">
              <time dateTime={entry.finishedAt}>{formatDateTime(entry.finishedAt)}</time>
              <span className={`badge ${outcome.tone}`}>{outcome.label}</span>
            </div>
            <div className="timeline-versions">
              {entry.fromVersion} <span aria-label="to">→</span> {entry.version}
              <span className="muted"> · slot {entry.slot}</span>
            </div>
            <p className="timeline-detail muted">{entry.detail}</p>
          </li>
        );
      })}
    </ol>
  );
}
