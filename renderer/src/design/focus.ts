import { useEffect, useRef, type RefObject } from 'react';

/**
 * Focus for a control that replaces the one just used: when the focused control went away with the
 * state it belonged to (focus fell back to the page), the new control takes it, so a controller
 * user goes on with Enter. Focus the wearer put elsewhere is left alone. A control that appears
 * disabled (its action's call still running) takes the focus once it is enabled.
 */
export function useFocusWhenLost<T extends HTMLElement>(enabled = true): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (!enabled) return;
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) ref.current?.focus();
  }, [enabled]);
  return ref;
}

/** While `active`, Escape calls `onEscape` and goes no further (not back to Home, for instance). */
export function useEscape(active: boolean, onEscape: () => void): void {
  useEffect(() => {
    if (!active) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopImmediatePropagation();
      onEscape();
    };
    // Capture on window runs before the screens' own (bubbling) Escape handlers.
    window.addEventListener('keydown', onKeyDown, { capture: true });
    return () => window.removeEventListener('keydown', onKeyDown, { capture: true });
  }, [active, onEscape]);
}
