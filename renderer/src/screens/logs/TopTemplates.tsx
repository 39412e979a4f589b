import type { LogTemplate } from '../../../../src/api/contract.js';

/** The messages that come most often, with their variable parts masked, and how often. */
export function TopTemplates({ templates }: { templates: LogTemplate[] }) {
  if (templates.length === 0) return <p className="muted">No entries in this range.</p>;
  const max = templates[0]!.count;
  return (
    <ol className="top-templates" data-testid="top-templates">
      {templates.slice(0, 10).map((t) => (
        <li key={t.id} className="template-row" title={`Example: ${t.example}`}>
          <div className="template-head">
            <span className={`level-badge level-${t.level}`}>{t.level}</span>
            <span className="template-subsystem">{t.subsystem}</span>
            <span className="template-count">{t.count.toLocaleString()}×</span>
          </div>
          <code className="template-text">{t.template}</code>
          <div className="template-bar" aria-hidden="true">
            <div style={{ width: `${Math.max(2, (t.count / max) * 100).toFixed(1)}%` }} />
          </div>
        </li>
      ))}
    </ol>
  );
}
