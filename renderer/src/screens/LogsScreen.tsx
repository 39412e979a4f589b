import { Button } from '../design/Button.js';
import { Panel } from '../design/Panel.js';
import { useLogsStore } from '../stores/logsStore.js';
import { ExportPanel } from './logs/ExportPanel.js';
import { FilterBar } from './logs/FilterBar.js';
import { Findings } from './logs/Findings.js';
import { HealthCharts } from './logs/HealthCharts.js';
import { LevelTimeline } from './logs/LevelTimeline.js';
import { LogLines } from './logs/LogLines.js';
import { TopTemplates } from './logs/TopTemplates.js';
import { useLogsData } from './logs/useLogsData.js';
import './logs/logs.css';

/**
 * Logs & Diagnostics: filters, what the range looks like (levels over time, frequent messages,
 * anomalies and insights, health history), the matching entries, and export to a USB stick.
 */
export function LogsScreen() {
  const { loadOlder, exportToUsb } = useLogsData();
  const { summary, entries, nextCursor, loading, problem, history, scanned } = useLogsStore();
  return (
    <div className="logs">
      <div className="logs-top">
        <Panel title="Filters" className="logs-filters">
          <FilterBar />
        </Panel>
        <Panel title="Export" className="logs-export-panel">
          <ExportPanel onExport={() => void exportToUsb()} />
        </Panel>
      </div>
      <div className="logs-overview">
        <Panel title="Levels over time" className="logs-timeline">
          {summary ? <LevelTimeline summary={summary} /> : <p className="muted">Reading the log…</p>}
        </Panel>
        <Panel title="What stands out" className="logs-findings">
          {summary ? <Findings insights={summary.insights} anomalies={summary.anomalies} /> : <p className="muted">Reading the log…</p>}
        </Panel>
        <Panel title="Most frequent messages" className="logs-templates">
          {summary ? <TopTemplates templates={summary.topTemplates} /> : <p className="muted">Reading the log…</p>}
        </Panel>
        <Panel title="Health history" className="logs-health">
          <HealthCharts history={history} />
        </Panel>
      </div>
      <Panel title="Entries" className="logs-entries">
        <p className="muted" aria-live="polite" data-testid="entries-status">
          {loading ? 'Searching…' : `${entries.length}${nextCursor ? '+' : ''} entries shown, ${scanned.toLocaleString()} lines read`}
        </p>
        {problem && (
          <p className="error">
            {problem.message} {problem.code && <span className="error-code">({problem.code})</span>}
          </p>
        )}
        <LogLines entries={entries} />
        {nextCursor && (
          <Button onClick={() => !loading && void loadOlder()} aria-disabled={loading}>
            Show older entries
          </Button>
        )}
      </Panel>
    </div>
  );
}
