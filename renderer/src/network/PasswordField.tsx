import { useState, type KeyboardEvent, type RefObject } from 'react';
import { ARROW_KEYS, moveFocus } from '../design/spatialNavigation.js';
import { Button } from '../design/Button.js';

/**
 * A Wi-Fi password field: masked, with a Show toggle, never filled with a saved secret (the headset
 * never sends one). Uncontrolled: the text stays in the input only (no state, no value attribute),
 * and the form empties it as it hands the password over.
 */
export function PasswordField({
  id,
  inputRef,
  hint,
  autoFocus,
}: {
  id: string;
  inputRef: RefObject<HTMLInputElement | null>;
  hint?: string;
  autoFocus?: boolean;
}) {
  const [shown, setShown] = useState(false);
  return (
    <div className="network-field">
      <label htmlFor={id}>Password</label>
      {hint && (
        <p className="network-hint-text" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <div className="network-password">
        <input
          id={id}
          ref={inputRef}
          className="network-input"
          type={shown ? 'text' : 'password'}
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="off"
          spellCheck={false}
          aria-describedby={hint ? `${id}-hint` : undefined}
          autoFocus={autoFocus}
          onKeyDown={leaveWithUpDown}
        />
        <Button className="network-show" aria-pressed={shown} aria-controls={id} onClick={() => setShown(!shown)}>
          {shown ? 'Hide' : 'Show'}
        </Button>
      </div>
    </div>
  );
}

/** Up and Down mean nothing in a one-line field: with a d-pad they leave it, as they leave any control. */
export function leaveWithUpDown(event: KeyboardEvent<HTMLInputElement>): void {
  if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
  const scope = event.currentTarget.closest<HTMLElement>('[data-mode]');
  if (!scope) return;
  event.preventDefault();
  moveFocus(scope, ARROW_KEYS[event.key]!);
}
