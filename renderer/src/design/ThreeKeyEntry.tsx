import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { entryWords, turn, wheelEntries, wheelStart, type WheelAlphabet, type WheelCommand, type WheelEntry } from './threeKeyWheel.js';
import './threeKeyEntry.css';

export interface ThreeKeyEntryProps {
  /** What is asked ("Password for “Harbour Home”"). */
  label: string;
  /** A line under it. */
  hint?: string;
  alphabet: WheelAlphabet;
  /** Shown as dots (with a Show entry on the wheel for text). */
  secret: boolean;
  /** Fewer characters and Done says so instead of handing over. */
  minLength?: number;
  maxLength: number;
  /** The Done entry's words ("Join", "Unlock", "Open the backups"). */
  doneLabel: string;
  /** Gets the text; the entry forgets it as it hands it over. */
  onDone(value: string): void;
  onCancel(): void;
  /** A call runs: Done waits, and says so. */
  busy?: boolean;
  /** What went wrong with the last try (an alert). */
  error?: string;
  testId?: string;
}

/** Rows of the wheel shown above and below the one in the frame. */
const AROUND = 2;

/**
 * Text entry with three keys (Up, Down, Enter), for the recovery kiosk: a wheel of characters and
 * commands. Up and Down turn it (holding a key turns it fast; it wraps round), Enter takes the entry
 * in the frame: a character is added (the wheel stays on it, for a double letter), Done hands the
 * text over, Delete removes the last character, Show reveals a secret, Cancel leaves. A keyboard's
 * typed characters and Backspace work too. A secret shows as dots and lives only in this
 * component's state (never a store, the page's storage or an attribute), cleared as it is handed over.
 *
 *   turning --Enter on a character--> turning (one more character)
 *   turning --Enter on Done--> handed over (onDone, emptied) | "at least N" (too short)
 *   turning --Enter on Cancel--> left (onCancel, emptied)
 */
export function ThreeKeyEntry({
  label,
  hint,
  alphabet,
  secret,
  minLength = 1,
  maxLength,
  doneLabel,
  onDone,
  onCancel,
  busy,
  error,
  testId = 'three-key',
}: ThreeKeyEntryProps) {
  const id = useId();
  const entries = useMemo(() => wheelEntries(alphabet, secret), [alphabet, secret]);
  const [at, setAt] = useState(() => wheelStart(entries));
  const [value, setValue] = useState('');
  const [shown, setShown] = useState(false);
  const [note, setNote] = useState<string>();
  const wheel = useRef<HTMLDivElement>(null);
  const labels: Record<WheelCommand, string> = {
    done: busy ? `${doneLabel}…` : doneLabel,
    delete: 'Delete the last',
    show: shown ? 'Hide' : 'Show',
    cancel: 'Cancel',
  };

  useEffect(() => wheel.current?.focus({ preventScroll: true }), []);

  const add = (char: string) => {
    if (value.length >= maxLength) return setNote(`At most ${maxLength} characters.`);
    setNote(undefined);
    setValue(value + char);
  };
  const take = (entry: WheelEntry) => {
    if (entry.kind === 'char') return add(entry.char);
    switch (entry.command) {
      case 'delete':
        setNote(undefined);
        return setValue(value.slice(0, -1));
      case 'show':
        return setShown(!shown);
      case 'cancel':
        setValue('');
        return onCancel();
      case 'done':
        if (busy) return;
        if (value.length < minLength) return setNote(minLength === 1 ? 'Nothing entered yet.' : `At least ${minLength} characters.`);
        setNote(undefined);
        // The text leaves with the call: nothing here keeps it.
        setValue('');
        setShown(false);
        return onDone(value);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const handled = () => {
      // The screen's own arrow navigation must not move the focus off the wheel.
      event.preventDefault();
      event.stopPropagation();
    };
    if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      handled();
      setAt(turn(at, event.key === 'ArrowDown' ? 1 : -1, entries.length));
    } else if (event.key === 'Enter') {
      handled();
      take(entries[at]!);
    } else if (event.key === 'Backspace') {
      handled();
      take({ kind: 'command', command: 'delete' });
    } else if (event.key.length === 1 && entries.some((e) => e.kind === 'char' && e.char === event.key)) {
      handled();
      add(event.key);
    }
  };

  const rows = Array.from({ length: 2 * AROUND + 1 }, (_, i) => entries[(at + i - AROUND + entries.length) % entries.length]!);
  const count = `${value.length} ${value.length === 1 ? 'character' : 'characters'}`;
  return (
    <section className="three-key-entry" aria-labelledby={`${id}-label`} data-testid={testId}>
      <h2 id={`${id}-label`} className="three-key-label">
        {label}
      </h2>
      {hint && (
        <p className="three-key-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <div
        className="three-key-value"
        aria-live="polite"
        aria-label={secret && !shown ? `${count} entered` : undefined}
        data-testid={`${testId}-value`}
      >
        {value.length === 0 ? (
          <span className="three-key-empty">Nothing entered yet</span>
        ) : (
          <span className={secret && !shown ? 'three-key-dots' : 'three-key-text'}>{secret && !shown ? '•'.repeat(value.length) : value}</span>
        )}
        <span className="three-key-count">{count}</span>
      </div>
      <div
        ref={wheel}
        className="three-key-wheel"
        role="spinbutton"
        tabIndex={0}
        aria-label={`${label}: choose a character`}
        aria-describedby={hint ? `${id}-hint` : undefined}
        aria-valuetext={entryWords(entries[at]!, labels)}
        aria-valuenow={at}
        aria-valuemin={0}
        aria-valuemax={entries.length - 1}
        onKeyDown={onKeyDown}
        data-testid={`${testId}-wheel`}
      >
        {rows.map((entry, i) => (
          <span
            key={i}
            aria-hidden="true"
            className={`three-key-row${i === AROUND ? ' current' : ''}${entry.kind === 'command' ? ' command' : ''}${
              entry.kind === 'command' && entry.command === 'done' ? ' done' : ''
            }`}
          >
            {entry.kind === 'command' ? labels[entry.command] : entry.char === ' ' ? 'space' : entry.char}
          </span>
        ))}
      </div>
      <p className="three-key-keys">
        <kbd>↑</kbd> <kbd>↓</kbd> turn the wheel, <kbd>Enter</kbd> takes what is in the frame
      </p>
      {(note ?? error) && (
        <p role="alert" className="error three-key-error">
          {note ?? error}
        </p>
      )}
    </section>
  );
}
