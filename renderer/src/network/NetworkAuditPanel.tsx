import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import type { NetworkAuditEntry } from '../../../src/api/contract.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { formatLocalTime } from '../design/format.js';
import { Panel } from '../design/Panel.js';
import { ProblemDetails } from '../design/ProblemDetails.js';
import { actorWords, auditActionWords, networkProblemWords } from './networkWords.js';

const PAGE = 20;

/** Logs & Diagnostics, network changes: who changed what and how it went (`network.audit`, newest first; never a secret). */
export function NetworkAuditPanel() {
  const client = useClient();
  const [entries, setEntries] = useState<NetworkAuditEntry[]>();
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<{ code?: string; message?: string }>();

  const load = useCallback(
    async (before?: string) => {
      setLoading(true);
      setProblem(undefined);
      try {
        const page = await client.call('network.audit', { limit: PAGE, ...(before ? { before } : {}) });
        setEntries((old) => [...(before ? (old ?? []) : []), ...page.entries]);
        setNext(page.nextCursor);
      } catch (e) {
        setProblem(e instanceof ApiError ? { code: e.code, message: e.message } : { message: String(e) });
      } finally {
        setLoading(false);
      }
    },
    [client],
  );
  useEffect(() => void load(), [load]);

  return (
    <Panel title="Network changes" className="network-audit">
      {problem && (
        <div className="error">
          <p>Could not read the network changes.</p>
          <ProblemDetails code={problem.code} message={problem.message} />
        </div>
      )}
      {!entries ? (
        <p className="muted">Reading…</p>
      ) : entries.length === 0 ? (
        <p className="muted">No network changes yet.</p>
      ) : (
        <table className="network-audit-table" data-testid="network-audit">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry, i) => (
              <tr key={`${entry.time}-${i}`} data-testid="network-audit-entry" data-result={entry.result}>
                <td className="network-audit-time">{formatLocalTime(entry.time, { seconds: true })}</td>
                <td>{actorWords(entry.who)}</td>
                <td>{auditActionWords(entry)}</td>
                <td className={entry.result === 'ok' ? 'network-audit-ok' : 'network-audit-failed'}>
                  {entry.result === 'ok' ? 'Done' : `Failed: ${shortProblem(entry.code)}`}
                  {entry.code && <span className="mono network-audit-code"> {entry.code}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <Button onClick={() => !loading && void load(next)} aria-disabled={loading || undefined}>
          {loading ? 'Loading older…' : 'Show older changes'}
        </Button>
      )}
    </Panel>
  );
}

/** The first sentence of the plain words: short enough for a table cell. */
function shortProblem(code: string | null): string {
  const words = networkProblemWords(code ?? undefined);
  return words.split(/[.:]/)[0]!.toLowerCase();
}
