import { useCallback } from 'react';
import { TELEMETRY_API, crashListSchema, deletionListSchema, telemetryDaysSchema } from '../../../src/fleet/telemetryApi.js';
import { api } from './api.js';
import { DailyRecordsChart } from './DailyRecordsChart.js';
import { ago } from './format.js';
import { useLoad } from './useDevices.js';

/** A pseudonym's first characters: enough to tell the week's headsets apart, nothing more to read. */
const shortPseudonym = (p: string) => `${p.slice(0, 8)}…`;

/**
 * What headsets sent: records per day, the crash records, and the wearers' deletion requests. No
 * device ids anywhere: telemetry carries a weekly pseudonym (docs/telemetry-forwarding.md).
 */
export function TelemetryScreen({ onSessionLost }: { onSessionLost: () => void }) {
  const load = useCallback(
    () =>
      Promise.all([
        api('GET', `${TELEMETRY_API.days}?days=30`, telemetryDaysSchema),
        api('GET', `${TELEMETRY_API.crashes}?limit=50`, crashListSchema),
        api('GET', TELEMETRY_API.deletions, deletionListSchema),
      ]),
    [],
  );
  const { data, error } = useLoad(load, onSessionLost);
  const [days, crashes, deletions] = data ?? [];
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <section className="card" aria-labelledby="days-title">
        <h2 id="days-title">Records per day</h2>
        {days && (
          <>
            <p className="hint">
              The last 30 days, by the day each record happened (UTC). Kept at most {days.retentionDays} days; each metric's own retention may be
              shorter.
            </p>
            <DailyRecordsChart days={days.days} />
          </>
        )}
      </section>

      <section className="card" aria-labelledby="crashes-title">
        <h2 id="crashes-title">Crash records</h2>
        {crashes && crashes.crashes.length === 0 && <p className="hint">No headset has reported a crash.</p>}
        {crashes && crashes.crashes.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Process</th>
                <th>Version</th>
                <th>Error</th>
                <th>Headset (this week)</th>
              </tr>
            </thead>
            <tbody>
              {crashes.crashes.map((c) => (
                <tr key={c.uid}>
                  <td title={c.time}>{ago(c.time)}</td>
                  <td>{c.process ?? '—'}</td>
                  <td>{c.version ?? '—'}</td>
                  <td>
                    {c.stacktrace ? (
                      <details>
                        <summary>{c.message}</summary>
                        <pre className="stack">{c.stacktrace}</pre>
                      </details>
                    ) : (
                      c.message
                    )}
                  </td>
                  <td className="mono" title={c.pseudonym}>
                    {shortPseudonym(c.pseudonym)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" aria-labelledby="deletions-title">
        <h2 id="deletions-title">Deletion requests</h2>
        <p className="hint">
          A wearer who turns a category off has its data of that category deleted at once, here as on the headset. A request signed by another key
          than the one the pseudonym was first seen with is refused.
        </p>
        {deletions && deletions.deletions.length === 0 && <p className="hint">No deletion request yet.</p>}
        {deletions && deletions.deletions.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Headset (that week)</th>
                <th>Category</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {deletions.deletions.map((d, i) => (
                <tr key={`${d.at}-${i}`}>
                  <td title={d.at}>{ago(d.at)}</td>
                  <td className="mono" title={d.pseudonym}>
                    {shortPseudonym(d.pseudonym)}
                  </td>
                  <td>{d.category}</td>
                  <td>
                    {d.applied
                      ? `Deleted ${d.logRecordsDeleted} log record${d.logRecordsDeleted === 1 ? '' : 's'} and ${d.metricPointsDeleted} metric point${d.metricPointsDeleted === 1 ? '' : 's'}`
                      : 'Refused: not signed by the pseudonym’s key'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
