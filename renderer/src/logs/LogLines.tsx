import type { LogEntry } from '../../../src/api/contract.js';
import { formatLocalTime } from '../design/format.js';
import { plural } from '../design/plural.js';
import { fieldRows } from './fieldRows.js';
import { LEVEL_BADGES, subsystemLabel } from './logLabels.js';

/** The matching entries, newest first: time, level, part and message; fields folded under each, as a table. */
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
        // Each entry is a stop for the arrows (see spatialNavigation): a d-pad reads the list line by line.
        <li key={`${e.bootId}-${e.seq}-${e.time}`} className={`log-line level-${e.level}`} data-testid="log-line" data-reading-stop>
          <div className="log-line-head">
            <time dateTime={e.time}>{formatLocalTime(e.time, { seconds: true })}</time>
            <span className={`level-badge level-${e.level}`}>{LEVEL_BADGES[e.level]}</span>
            <span className="log-subsystem">{subsystemLabel(e.subsystem)}</span>
            <span className="log-msg">{e.msg}</span>
          </div>
          {e.fields && Object.keys(e.fields).length > 0 && (
            <details className="log-fields">
              <summary>{plural(Object.keys(e.fields).length, 'detail', 'details')}</summary>
              <table className="log-fields-table">
                <tbody>
                  {fieldRows(e.fields).map((row) => (
                    <tr key={row.name}>
                      <th scope="row">{row.name}</th>
                      <td>{row.value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}
