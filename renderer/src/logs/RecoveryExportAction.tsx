import { useState } from 'react';
import { ApiError } from '../../../src/api/client.js';
import { useClient } from '../api/clientContext.js';
import { Button } from '../design/Button.js';
import { formatBytes } from '../design/format.js';
import type { ExportState } from './logsStore.js';

/** The recovery kiosk's "Export logs to USB": the whole log, for support, with what happened in its hint. */
export function RecoveryExportAction({ disabled }: { disabled: boolean }) {
  const client = useClient();
  const [state, setState] = useState<ExportState>({ status: 'idle' });
  const run = async () => {
    setState({ status: 'exporting' });
    try {
      setState({ status: 'done', result: await client.call('logs.export', {}) });
    } catch (error) {
      setState({ status: 'failed', problem: error instanceof ApiError ? { code: error.code, message: error.message } : { message: String(error) } });
    }
  };
  const hint =
    state.status === 'exporting'
      ? 'Writing the log to the USB stick…'
      : state.status === 'done'
        ? `Saved ${state.result.entries} entries (${formatBytes(state.result.bytes)}) as ${state.result.fileName}. You can remove the stick.`
        : state.status === 'failed'
          ? state.problem.code === 'EXPORT_NO_MEDIUM'
            ? 'No USB stick found. Plug one in and press again.'
            : state.problem.message
          : 'Save the log to a USB stick for support';
  return (
    // Not disabled while exporting: the kiosk's focus must stay on the action it is on.
    <Button
      role="menuitem"
      onClick={() => state.status !== 'exporting' && void run()}
      disabled={disabled}
      aria-disabled={state.status === 'exporting'}
      data-testid="recovery-export"
    >
      {state.status === 'exporting' ? 'Exporting logs…' : 'Export logs to USB'}
      <span className={`action-hint${state.status === 'failed' ? ' error' : ''}`} aria-live="polite">
        {hint}
      </span>
    </Button>
  );
}
