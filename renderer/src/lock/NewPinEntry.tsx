import { useState, type ReactNode } from 'react';
import { PIN_MAX_DIGITS, PIN_MIN_DIGITS } from '../../../src/lock/pinRules.js';
import { PinPad } from './PinPad.js';

export interface NewPinEntryProps {
  /** The heading of the first entry ("Set a PIN"). */
  title: string;
  /** Gets the new PIN once typed twice alike. */
  onDone(pin: string): void;
  onCancel?: () => void;
  cancelLabel?: string;
  blocked?: boolean;
  /** What the call that followed said (a refused PIN): the entry starts over. */
  error?: string;
  extra?: ReactNode;
  /** The first pad's keys take the focus when it opens (default); false leaves it to a control in `extra`. */
  focusKeys?: boolean;
}

/**
 * A new PIN, typed twice: the second must match the first, else both are asked again. The first
 * is held only until the second is typed.
 */
export function NewPinEntry({ title, onDone, onCancel, cancelLabel, blocked, error, extra, focusKeys }: NewPinEntryProps) {
  const [first, setFirst] = useState<string>();
  const [mismatch, setMismatch] = useState(false);
  if (first === undefined)
    return (
      <PinPad
        key="new"
        title={title}
        hint={`${PIN_MIN_DIGITS} to ${PIN_MAX_DIGITS} digits. It protects network changes, reset and support access.`}
        submitLabel="Next"
        onSubmit={(pin) => {
          setMismatch(false);
          setFirst(pin);
        }}
        onCancel={onCancel}
        cancelLabel={cancelLabel}
        blocked={blocked}
        error={mismatch ? 'The two PINs were not the same. Enter the new PIN again.' : error}
        extra={extra}
        focusKeys={focusKeys}
      />
    );
  return (
    <PinPad
      key="confirm"
      title="Enter the same PIN again"
      hint="To be sure it is the one you meant."
      submitLabel="Confirm"
      onSubmit={(pin) => {
        setFirst(undefined);
        if (pin === first) onDone(pin);
        else setMismatch(true);
      }}
      onCancel={() => setFirst(undefined)}
      cancelLabel="Back"
      blocked={blocked}
      extra={extra}
    />
  );
}
