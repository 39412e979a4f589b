import { useId } from 'react';

/**
 * The backup passphrase, typed by the wearer. It stays in this field's state until the call that
 * uses it is sent and is cleared right after: it is never stored, logged or shown.
 */
export function PassphraseField({
  value,
  onChange,
  hint,
  label = 'Passphrase',
  newOne,
}: {
  value: string;
  onChange(value: string): void;
  hint: string;
  label?: string;
  newOne?: boolean;
}) {
  const id = useId();
  return (
    <div className="backup-passphrase">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="password"
        className="backup-input"
        value={value}
        autoComplete={newOne ? 'new-password' : 'current-password'}
        spellCheck={false}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={`${id}-hint`}
      />
      <span id={`${id}-hint`} className="backup-hint">
        {hint}
      </span>
    </div>
  );
}
