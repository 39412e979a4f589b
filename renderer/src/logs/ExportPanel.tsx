import { useEffect, useRef } from 'react';
import { Button } from '../design/Button.js';
import { formatBytes } from '../design/format.js';
import { useLogsStore } from './logsStore.js';

/** "Export to USB": writes the entries the filters select to the stick, with progress and the outcome. */
export function ExportPanel({ onExport, compact = false }: { onExport: () => void; compact?: boolean }) {
  const state = useLogsStore((s) => s.exportState);
  const exporting = state.status === 'exporting';
  const outcome = useRef<HTMLDivElement>(null);
  // The outcome shows under the button: brought into sight, so a wearer who pressed it reads it.
  useEffect(() => {
    if (state.status === 'done' || state.status === 'failed') outcome.current?.scrollIntoView({ block: 'nearest' });
  }, [state.status]);
  return (
    <div className="log-export" data-testid="log-export">
      {!compact && <p className="muted">Saves the entries the filters select to a USB stick, in one file to give to support.</p>}
      {/* Not disabled while exporting: a disabled button drops the focus a d-pad user relies on. */}
      <Button variant="primary" onClick={() => !exporting && onExport()} aria-disabled={exporting} aria-busy={exporting}>
        {exporting ? 'Exporting…' : 'Export to USB'}
      </Button>
      {exporting && <div className="progress indeterminate" role="progressbar" aria-label="Exporting logs" />}
      <div aria-live="polite" ref={outcome}>
        {state.status === 'done' && (
          <p className="export-done" data-testid="export-result">
            Saved {state.result.entries.toLocaleString()} entries ({formatBytes(state.result.bytes)}) as <code>{state.result.fileName}</code>. You can
            remove the stick.
          </p>
        )}
        {state.status === 'failed' && (
          <p className="error" data-testid="export-problem">
            {state.problem.code === 'EXPORT_NO_MEDIUM' ? 'No USB stick found. Plug one in and try again.' : state.problem.message}
          </p>
        )}
      </div>
    </div>
  );
}
