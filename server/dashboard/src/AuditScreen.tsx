import { useCallback, useState } from 'react';
import { OPERATOR_API, auditPageSchema } from '../../../src/fleet/operatorApi.js';
import { api } from './api.js';
import { useLoad } from './useDevices.js';

const PAGE = 50;

/** Details in a line: "role: viewer → support" style pairs, or the JSON for anything else. */
function detailsText(details: Record<string, unknown> | null): string {
  if (!details) return '';
  if (typeof details.from === 'string' && typeof details.to === 'string' && Object.keys(details).length === 2)
    return `${details.from} → ${details.to}`;
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

/**
 * The audit log (admins): who did what to which headset or account, newest first, 50 to a page.
 * Older walks back by the last id seen; Newer returns along the ids already visited.
 */
export function AuditScreen({ onSessionLost }: { onSessionLost: () => void }) {
  // The `before` of each page visited: the first is the newest (no cursor).
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const load = useCallback(
    () => api('GET', `${OPERATOR_API.audit}?limit=${PAGE}${before === undefined ? '' : `&before=${before}`}`, auditPageSchema),
    [before],
  );
  const { data, error } = useLoad(load, onSessionLost);
  const pageNumber = cursors.length;
  return (
    <section className="card" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {data && data.entries.length === 0 && <p className="hint">Nothing recorded yet.</p>}
      {data && data.entries.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>On</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {data.entries.map((e) => (
              <tr key={e.id} data-audit-id={e.id}>
                <td className="nowrap" title={e.at}>
                  {new Date(e.at).toLocaleString()}
                </td>
                <td>{e.actor}</td>
                <td className="mono">{e.action}</td>
                <td className="mono">{/^[0-9a-f-]{36}$/.test(e.subject) ? <a href={`#/devices/${e.subject}`}>{e.subject}</a> : e.subject}</td>
                <td>{detailsText(e.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="row" aria-label="Audit log pages">
        <button type="button" className="quiet" disabled={pageNumber === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <span className="hint">Page {pageNumber}</span>
        <button
          type="button"
          className="quiet"
          disabled={!data?.nextBefore}
          onClick={() => data?.nextBefore && setCursors((c) => [...c, data.nextBefore!])}
        >
          Older
        </button>
      </nav>
    </section>
  );
}
