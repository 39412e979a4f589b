import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { PIN_MAX_DIGITS, PIN_MIN_DIGITS } from '../../../src/lock/pinRules.js';
import { Button } from '../design/Button.js';
import { useEscape } from '../design/focus.js';
import './lock.css';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export interface PinPadProps {
  /** The pad's heading ("Enter your PIN"). */
  title: string;
  /** A line under the heading. */
  hint?: ReactNode;
  /** The submit key's words ("Unlock"). */
  submitLabel: string;
  /** Gets the digits entered; the pad forgets them as it hands them over. */
  onSubmit(pin: string): void;
  /** Escape and the cancel button (where there is one). */
  onCancel?: () => void;
  cancelLabel?: string;
  /** A call is running, or the wait after wrong PINs: the submit key says no. */
  blocked?: boolean;
  /** What went wrong with the last PIN (shown as an alert). */
  error?: string;
  /** Controls beside the pad (Skip, Back). */
  extra?: ReactNode;
  /** The first key takes the focus when the pad opens (default); false leaves it to a control in `extra`. */
  focusKeys?: boolean;
}

/**
 * A PIN pad for a controller or a keyboard: arrows move between the keys (the screen's spatial
 * navigation), Enter presses the focused key; typed digits, Backspace and Enter work wherever the
 * focus is (a typed digit moves the focus to the submit key, so Enter then submits). Digits are
 * never shown: one dot each. Escape cancels. Keys are at least 64 px.
 */
export function PinPad({
  title,
  hint,
  submitLabel,
  onSubmit,
  onCancel,
  cancelLabel = 'Cancel',
  blocked,
  error,
  extra,
  focusKeys = true,
}: PinPadProps) {
  const [digits, setDigits] = useState('');
  const submitKey = useRef<HTMLButtonElement>(null);
  const firstKey = useRef<HTMLButtonElement>(null);
  const ready = digits.length >= PIN_MIN_DIGITS && !blocked;

  const add = useCallback((digit: string) => setDigits((d) => (d.length < PIN_MAX_DIGITS ? d + digit : d)), []);
  const removeLast = useCallback(() => setDigits((d) => d.slice(0, -1)), []);
  const submit = useCallback(() => {
    if (!ready) return;
    // The digits leave the pad with the call: nothing keeps them once sent.
    setDigits('');
    onSubmit(digits);
  }, [ready, digits, onSubmit]);

  useEffect(() => {
    if (focusKeys) firstKey.current?.focus({ preventScroll: true });
  }, [focusKeys]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (/^[0-9]$/.test(event.key)) {
        event.preventDefault();
        add(event.key);
        submitKey.current?.focus({ preventScroll: true });
      } else if (event.key === 'Backspace') {
        event.preventDefault();
        removeLast();
      } else if (event.key === 'Enter' && !(event.target instanceof HTMLButtonElement)) {
        // On a key, Enter presses that key; elsewhere it submits.
        event.preventDefault();
        submit();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [add, removeLast, submit]);

  const cancel = useCallback(() => onCancel?.(), [onCancel]);
  useEscape(onCancel !== undefined, cancel);

  const slots = Math.max(PIN_MIN_DIGITS, digits.length);
  return (
    <section className="pin-pad" aria-labelledby="pin-pad-title">
      <div className="pin-pad-text">
        <h1 id="pin-pad-title">{title}</h1>
        {hint && <p className="muted">{hint}</p>}
        <div
          className="pin-dots"
          role="status"
          aria-live="polite"
          aria-label={`${digits.length} ${digits.length === 1 ? 'digit' : 'digits'} entered`}
          data-testid="pin-dots"
        >
          {Array.from({ length: slots }, (_, i) => (
            <span key={i} className={i < digits.length ? 'pin-dot filled' : 'pin-dot'} aria-hidden="true" />
          ))}
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          {onCancel && <Button onClick={cancel}>{cancelLabel}</Button>}
          {extra}
        </div>
      </div>
      <div className="pin-keys" role="group" aria-label="PIN keys">
        {KEYS.map((key) => (
          <button key={key} ref={key === '1' ? firstKey : undefined} type="button" className="pin-key" onClick={() => add(key)}>
            {key}
          </button>
        ))}
        <button type="button" className="pin-key pin-key-small" aria-label="Delete the last digit" onClick={removeLast}>
          ⌫
        </button>
        <button type="button" className="pin-key" onClick={() => add('0')}>
          0
        </button>
        <button ref={submitKey} type="button" className="pin-key pin-key-submit" aria-disabled={!ready || undefined} onClick={submit}>
          {submitLabel}
        </button>
      </div>
    </section>
  );
}
