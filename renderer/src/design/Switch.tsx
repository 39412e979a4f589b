import type { ReactNode } from 'react';

/**
 * An on/off setting as one large target: the label, a track with its knob, and the state in words.
 * `disabled` (for instance while the change is being saved) marks it `aria-disabled` and ignores
 * presses, but never sets the native `disabled`: that would drop the focus to the page and the
 * controller user would lose their place.
 */
export function Switch({
  label,
  hint,
  checked,
  disabled,
  onChange,
}: {
  label: string;
  hint?: ReactNode;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-disabled={disabled || undefined}
      className={`switch ${checked ? 'on' : ''}`}
      onClick={() => {
        if (!disabled) onChange(!checked);
      }}
    >
      <span className="switch-text">
        <span className="switch-label">{label}</span>
        {hint && <span className="switch-hint">{hint}</span>}
      </span>
      <span className="switch-track" aria-hidden="true">
        <span className="switch-knob" />
      </span>
      <span className="switch-state" aria-hidden="true">
        {checked ? 'On' : 'Off'}
      </span>
    </button>
  );
}
