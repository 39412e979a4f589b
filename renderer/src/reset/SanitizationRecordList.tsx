import type { SignedSanitizationRecord } from '../../../src/reset/sanitizationRecord.js';
import { formatDateTime } from '../design/format.js';
import { scopeName } from './resetWords.js';

/** The last wipes on this headset from their signed records: when, what, and whether the check after it passed. */
export function SanitizationRecordList({ records, limit = 5 }: { records: readonly SignedSanitizationRecord[]; limit?: number }) {
  if (records.length === 0) return <p data-testid="reset-records-none">This headset has not been wiped yet.</p>;
  return (
    <table className="backup-table" data-testid="reset-records">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">What was erased</th>
          <th scope="col">Checked after</th>
        </tr>
      </thead>
      <tbody>
        {records.slice(0, limit).map(({ record }) => (
          <tr key={record.id} className={record.verification === 'passed' ? undefined : 'backup-bad'}>
            <td>{formatDateTime(record.finishedAt)}</td>
            <td>{record.scopes.map(scopeName).join(', ')}</td>
            <td>{record.verification === 'passed' ? 'Verified: nothing left' : 'Check failed: see the record in the logs export'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
