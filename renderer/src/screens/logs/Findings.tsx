import type { LogAnomaly, LogInsight } from '../../../../src/api/contract.js';

/** Insights and anomalies, each a card in plain words with the numbers behind it. */
export function Findings({ insights, anomalies }: { insights: LogInsight[]; anomalies: LogAnomaly[] }) {
  if (insights.length === 0 && anomalies.length === 0) return <p className="muted" data-testid="no-findings">Nothing unusual in this range.</p>;
  return (
    <ul className="findings" data-testid="findings">
      {insights.map((insight, i) => (
        <li key={`i${i}`} className={`finding ${insight.severity}`} data-testid="insight">
          <p className="finding-text">{insight.text}</p>
          <p className="finding-evidence">{insight.evidence}</p>
        </li>
      ))}
      {anomalies.slice(0, 6).map((anomaly) => (
        <li key={`a${anomaly.templateId}`} className={`finding ${anomaly.kind === 'new-error' ? 'error' : 'warn'}`} data-testid="anomaly">
          <p className="finding-text">{anomaly.kind === 'new-error' ? 'New error' : 'Burst'} in {anomaly.subsystem}</p>
          <p className="finding-evidence">{anomaly.explanation}</p>
        </li>
      ))}
    </ul>
  );
}
