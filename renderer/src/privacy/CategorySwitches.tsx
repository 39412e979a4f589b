import type { PrivacyStatus } from '../../../src/api/contract.js';
import { metricLabel } from '../../../src/telemetry/metricLabels.js';
import { Switch } from '../design/Switch.js';

type Category = PrivacyStatus['categories'][number];

/**
 * One large switch per telemetry category, in plain words with what it sends; the essential
 * category is shown locked on (it cannot be turned off). With `notes`, each switch has a live line
 * under it saying what its last change did, where the wearer is looking.
 */
export function CategorySwitches({
  categories,
  granted,
  disabled,
  onChange,
  notes,
}: {
  categories: Category[];
  granted: Record<string, boolean>;
  disabled?: boolean;
  onChange: (id: Category['id'], on: boolean) => void;
  notes?: Partial<Record<Category['id'], string>>;
}) {
  return (
    <ul className="privacy-categories" aria-label="Telemetry categories">
      {categories.map((category) => (
        <li key={category.id} data-category={category.id}>
          {category.essential ? (
            <div className="privacy-locked" role="group" aria-label={`${category.title}: always on`}>
              <span className="switch-text">
                <span className="switch-label">
                  <LockIcon /> {category.title}
                </span>
                <span className="switch-hint">{category.description}</span>
                <Examples names={category.examples} />
              </span>
              <span className="privacy-locked-state">Always on</span>
            </div>
          ) : (
            <Switch
              label={category.title}
              checked={granted[category.id] ?? false}
              disabled={disabled}
              onChange={(on) => onChange(category.id, on)}
              hint={
                <>
                  {category.description}
                  <Examples names={category.examples} />
                </>
              }
            />
          )}
          {notes && !category.essential && (
            <p className="privacy-note" role="status" aria-live="polite">
              {notes[category.id] ?? ''}
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}

/** What the category sends, in plain words (the metric names are in the policy's table). */
function Examples({ names }: { names: string[] }) {
  const labels = names.map(metricLabel);
  return <span className="privacy-examples">Sends: {labels.join(', ')}.</span>;
}

function LockIcon() {
  return (
    <svg className="privacy-lock" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <rect x="5" y="11" width="14" height="10" rx="2" fill="currentColor" />
      <path d="M8 11V8a4 4 0 0 1 8 0v3" fill="none" stroke="currentColor" strokeWidth="2.5" />
    </svg>
  );
}
