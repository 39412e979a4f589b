import type { LogTemplate } from '../../../src/api/contract.js';
import { LEVEL_BADGES, subsystemLabel } from './logLabels.js';
import { varyingParts } from './varyingParts.js';

/** The messages that come most often, each as a real example, what else it counts, and how often. */
export function TopTemplates({ templates }: { templates: LogTemplate[] }) {
  if (templates.length === 0) return <p className="muted">No entries in this range.</p>;
  const max = templates[0]!.count;
  return (
    <ol className="top-templates" data-testid="top-templates">
      {templates.slice(0, 10).map((t) => {
        // A message seen once counts nothing else.
        const varies = t.count > 1 ? varyingParts(t.template) : null;
        return (
          <li key={t.id} className="template-row">
            <div className="template-head">
              <span className={`level-badge level-${t.level}`}>{LEVEL_BADGES[t.level]}</span>
              <span className="template-subsystem">{subsystemLabel(t.subsystem)}</span>
              <span className="template-count">{t.count.toLocaleString('en')}×</span>
            </div>
            <p className="template-text">{t.example}</p>
            {varies && <p className="template-example">{varies}</p>}
            <div className="template-bar" aria-hidden="true">
              <div style={{ width: `${Math.max(2, (t.count / max) * 100).toFixed(1)}%` }} />
            </div>
          </li>
        );
      })}
    </ol>
  );
}
