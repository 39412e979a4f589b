import type { LogEntry } from '../../../src/api/contract.js';
import { formatLocalTime } from '../design/format.js';
import { LEVEL_BADGES, subsystemLabel } from './logLabels.js';

/** The matching entries, newest first: time, level, part and message; fields folded under each. */
export function LogLines({ entries }: { entries: LogEntry[] }) {
  if (entries.length === 0)
    return (
      <p className="muted" data-testid="no-entries">
        No entries match.
      </p>
    );
  return (
    <ol className="log-lines" data-testid="log-lines">
      {entries.map((e) => (
        <li key={`${e.bootId}-${e.seq}-${e.time}`} className={`log-line level-${e.level}`} data-testid="log-line">
          <div className="log-line-head">
            <time dateTime={e.time}>{formatLocalTime(e.time, { seconds: true })}</time>
            <span className={`level-badge level-${e.level}`}>{LEVEL_BADGES[e.level]}</span>
            <span className="log-subsystem">{subsystemLabel(e.subsystem)}</span>
            <span className="log-msg">{e.msg}</span>
          </div>
          {e.fields && Object.keys(e.fields).length > 0 && (
            <details className="log-fields">
              <summary>{Object.keys(e.fields).length === 1 ? '1 field' : `${Object.keys(e.fields).length} fields`}</summary>
              <pre>{JSON.stringify(e.fields, null, 2)}</pre>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}
