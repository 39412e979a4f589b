import { useEffect, type RefObject } from 'react';
import { ARROW_KEYS, focusableIn, moveFocus } from './spatialNavigation.js';

/**
 * Arrows move focus inside `scope`, Escape goes back; Enter activates the focused control natively.
 * Text fields keep their arrows. When nothing is focused (the focused control went away, or the page
 * just loaded), `preferred` receives focus, else the first control.
 */
export function useKeyboardNavigation(
  scope: RefObject<HTMLElement | null>,
  onEscape?: () => void,
  preferred?: () => HTMLElement | null | undefined,
): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const root = scope.current;
      if (!root || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target as HTMLElement | null;
      const typing = target?.matches('input, textarea, select') ?? false;
      const direction = ARROW_KEYS[event.key];
      if (direction && !typing) {
        event.preventDefault();
        moveFocus(root, direction);
      } else if (event.key === 'Escape' && onEscape) {
        event.preventDefault();
        onEscape();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [scope, onEscape]);

  useEffect(() => {
    const root = scope.current;
    if (root && !root.contains(document.activeElement)) (preferred?.() ?? focusableIn(root)[0])?.focus();
  });
}
