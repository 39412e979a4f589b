import type { ReactNode } from 'react';
import type { LogSummary } from '../../../src/api/contract.js';
import { Button } from '../design/Button.js';
import { plural } from '../design/plural.js';
import { ProblemDetails } from '../design/ProblemDetails.js';
import { Panel } from '../design/Panel.js';
import { NetworkAuditPanel } from '../network/NetworkAuditPanel.js';
import { useLogsStore, type SummaryState } from './logsStore.js';
import { ExportPanel } from './ExportPanel.js';
import { FilterBar } from './FilterBar.js';
import { Findings } from './Findings.js';
import { HealthCharts } from './HealthCharts.js';
import { LevelTimeline } from './LevelTimeline.js';
import { LogLines } from './LogLines.js';
import { RangeBar } from './RangeBar.js';
import { TopTemplates } from './TopTemplates.js';
import { useLogsData } from './useLogsData.js';
import './logs.css';

/**
 * Logs & Diagnostics, pictures before controls: the time range, what stands out and the levels over
 * time, the frequent messages and health history; then the filters, the matching entries and export.
 * The summary panels cover every entry of the range; the filters narrow the entries and the export.
 */
export function LogsScreen() {
  const { loadOlder, exportToUsb } = useLogsData();
  const { summaryState, entries, nextCursor, loading, loadingOlder, problem, history, scanned } = useLogsStore();
  return (
    <div className="logs">
      <RangeBar />
      <div className="logs-overview">
        <Panel title="What stands out" className="logs-findings">
          <SummaryPart state={summaryState}>{(summary) => <Findings insights={summary.insights} anomalies={summary.anomalies} />}</SummaryPart>
        </Panel>
        <Panel title="Levels over time" className="logs-timeline">
          <SummaryPart state={summaryState}>{(summary) => <LevelTimeline summary={summary} />}</SummaryPart>
        </Panel>
        <Panel title="Most frequent messages" className="logs-templates">
          <SummaryPart state={summaryState}>{(summary) => <TopTemplates templates={summary.topTemplates} />}</SummaryPart>
        </Panel>
        <Panel title="Health history" className="logs-health">
          <HealthCharts history={history} />
        </Panel>
      </div>
      <div className="logs-top">
        <Panel title="Filter the entries" className="logs-filters">
          <FilterBar />
        </Panel>
        <Panel title="Export" className="logs-export-panel">
          <ExportPanel onExport={() => void exportToUsb()} />
        </Panel>
      </div>
      <NetworkAuditPanel />
      <Panel title="Entries" className="logs-entries">
        <p className="muted" aria-live="polite" data-testid="entries-status">
          {loading ? 'Searching…' : entriesStatus(entries.length, !!nextCursor, scanned)}
        </p>
        {problem && (
          <div className="error">
            <p>{problem.message}</p>
            <ProblemDetails code={problem.code} />
          </div>
        )}
        <LogLines entries={entries} />
        {nextCursor && (
          <Button onClick={() => void loadOlder()} aria-disabled={loading || loadingOlder} aria-busy={loadingOlder}>
            {loadingOlder ? 'Loading older…' : 'Show older entries'}
          </Button>
        )}
      </Panel>
    </div>
  );
}

/** One summary panel's content by the summary's state: each panel says for itself that it is loading or failed. */
function SummaryPart({ state, children }: { state: SummaryState; children: (summary: LogSummary) => ReactNode }) {
  if (state.status === 'loading')
    return (
      <p className="muted" data-testid="summary-loading">
        Reading the log…
      </p>
    );
  if (state.status === 'failed')
    return (
      <div className="error" data-testid="summary-problem">
        <p>Could not read the log: {state.problem.message}</p>
        <ProblemDetails code={state.problem.code} />
      </div>
    );
  return (
    <>
      <p className="summary-scope">All entries in the time range</p>
      {children(state.summary)}
    </>
  );
}

/** "1 entry shown", "50+ entries shown" (more to load), and how much of the log was read for them. */
function entriesStatus(shown: number, more: boolean, scanned: number): string {
  const entries = more ? `${shown.toLocaleString('en')}+ entries` : plural(shown, 'entry', 'entries');
  return `${entries} shown, ${plural(scanned, 'line', 'lines')} read`;
}
