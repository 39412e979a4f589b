import type { LogAnomaly, LogInsight } from '../../../src/api/contract.js';
import { subsystemLabel } from './logLabels.js';
import { MarkedText } from './MarkedText.js';

/** Insights and anomalies, each a card in plain words with the numbers behind it. */
export function Findings({ insights, anomalies }: { insights: LogInsight[]; anomalies: LogAnomaly[] }) {
  if (insights.length === 0 && anomalies.length === 0)
    return (
      <p className="muted" data-testid="no-findings">
        Nothing unusual in this range.
      </p>
    );
  return (
    <ul className="findings" data-testid="findings">
      {insights.map((insight, i) => (
        <li key={`i${i}`} className={`finding ${insight.severity}`} data-testid="insight">
          <p className="finding-text">
            <MarkedText text={insight.text} />
          </p>
          <p className="finding-evidence">
            <MarkedText text={insight.evidence} />
          </p>
        </li>
      ))}
      {anomalies.slice(0, 6).map((anomaly) => (
        <li key={`a${anomaly.templateId}`} className={`finding ${anomaly.kind === 'new-error' ? 'error' : 'warn'}`} data-testid="anomaly">
          <p className="finding-text">
            {anomaly.kind === 'new-error' ? 'New error' : 'Burst'} in {subsystemLabel(anomaly.subsystem)}
          </p>
          <p className="finding-evidence">
            <MarkedText text={anomaly.explanation} />
          </p>
        </li>
      ))}
    </ul>
  );
}
