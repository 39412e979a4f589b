import { useEffect, useRef, type KeyboardEvent } from 'react';
import { Button } from '../design/Button.js';
import { useEscape } from '../design/focus.js';
import { ARROW_KEYS, focusableIn, moveFocus } from '../design/spatialNavigation.js';
import { PolicyScroll } from './PolicyScroll.js';

/**
 * The privacy policy over the whole window, so reading it never pushes the choices off-screen and
 * its table has the full width. The text takes the focus (Up and Down scroll it); Escape or the
 * button returns. Arrows and Tab stay inside while it is open: nothing hidden behind it takes focus.
 */
export function PolicyOverlay({ version, onClose, backLabel = 'Back to the choices' }: { version: number; onClose: () => void; backLabel?: string }) {
  const text = useRef<HTMLDivElement>(null);
  useEscape(true, onClose);
  useEffect(() => text.current?.focus({ preventScroll: true }), []);
  return (
    <div className="policy-overlay" role="dialog" aria-modal="true" aria-labelledby="policy-overlay-title" onKeyDown={keepFocusInside}>
      <div className="policy-overlay-head">
        <h2 id="policy-overlay-title">Privacy policy, version {version}</h2>
        <Button variant="primary" onClick={onClose}>
          {backLabel} (Escape)
        </Button>
      </div>
      <PolicyScroll ref={text} className="policy-overlay-text" />
    </div>
  );
}

/** Arrows move among the dialog's controls only; Tab cycles through them. */
function keepFocusInside(event: KeyboardEvent<HTMLElement>): void {
  const dialog = event.currentTarget;
  const direction = ARROW_KEYS[event.key];
  if (direction) {
    moveFocus(dialog, direction);
  } else if (event.key === 'Tab') {
    const controls = focusableIn(dialog);
    const at = controls.indexOf(document.activeElement as HTMLElement);
    controls[(at + (event.shiftKey ? -1 : 1) + controls.length) % controls.length]?.focus();
  } else {
    return;
  }
  event.preventDefault();
  event.stopPropagation();
}
