import type { LogTemplate } from '../../../src/api/contract.js';
import { LEVEL_BADGES, subsystemLabel } from './logLabels.js';
import { MarkedText } from './MarkedText.js';

/** The messages that come most often, their varying parts shown as tokens, a real example under each, and how often. */
export function TopTemplates({ templates }: { templates: LogTemplate[] }) {
  if (templates.length === 0) return <p className="muted">No entries in this range.</p>;
  const max = templates[0]!.count;
  return (
    <ol className="top-templates" data-testid="top-templates">
      {templates.slice(0, 10).map((t) => (
        <li key={t.id} className="template-row">
          <div className="template-head">
            <span className={`level-badge level-${t.level}`}>{LEVEL_BADGES[t.level]}</span>
            <span className="template-subsystem">{subsystemLabel(t.subsystem)}</span>
            <span className="template-count">{t.count.toLocaleString()}×</span>
          </div>
          <p className="template-text">
            <MarkedText text={t.template} />
          </p>
          {t.example !== t.template && <p className="template-example">e.g. {t.example}</p>}
          <div className="template-bar" aria-hidden="true">
            <div style={{ width: `${Math.max(2, (t.count / max) * 100).toFixed(1)}%` }} />
          </div>
        </li>
      ))}
    </ol>
  );
}
