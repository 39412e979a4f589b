import { useEffect, type RefObject } from 'react';
import { ARROW_KEYS, focusableIn, moveFocus, scrollView } from './spatialNavigation.js';

/** Controls that Space presses (or types into): Space pages through content only elsewhere. */
const SPACE_USERS = 'button, a[href], input, select, textarea, summary, [role="button"], [role="switch"], [role="menuitem"], [role="checkbox"]';

/**
 * The keys of a screen, as a d-pad or the recovery kiosk's keyboard gives them:
 * - arrows move the focus inside `scope`, through its controls and its content (see moveFocus);
 * - PageDown/PageUp, Space/Shift+Space on content, Home/End scroll the content, the focus following;
 * - Tab and Shift+Tab go round the scope's controls: past the last comes the first, never the page;
 * - Escape goes back (`onEscape`), the innermost thing first: in a text field the first Escape only
 *   ends the typing (the text stays, and so does the screen), the next one goes back;
 * - Enter activates the focused control natively.
 * Text fields keep their arrows, Home and End. When nothing is focused (the focused control went
 * away, or the page just loaded), `preferred` receives focus, else the first control.
 */
export function useKeyboardNavigation(
  scope: RefObject<HTMLElement | null>,
  onEscape?: () => void,
  preferred?: () => HTMLElement | null | undefined,
): void {
  useEffect(() => {
    // The text field in which Escape was pressed once with no typing since.
    let escapedIn: EventTarget | null = null;
    const onKeyDown = (event: KeyboardEvent) => {
      const root = scope.current;
      if (!root || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target as HTMLElement | null;
      const typing = target?.matches('input, textarea, select') ?? false;
      if (event.key !== 'Escape') escapedIn = null;
      const direction = ARROW_KEYS[event.key];
      if (direction && !typing) {
        event.preventDefault();
        moveFocus(root, direction);
        return;
      }
      if (event.key === 'Escape') {
        if (typing) {
          // Not the search field's own Escape either: that would clear the filter.
          event.preventDefault();
          if (escapedIn !== target) {
            escapedIn = target;
            return;
          }
        }
        escapedIn = null;
        if (onEscape) {
          event.preventDefault();
          onEscape();
        }
        return;
      }
      if (event.defaultPrevented) return;
      const how = viewKey(event, target, typing);
      if (how) {
        event.preventDefault();
        scrollView(root, how);
      } else if (event.key === 'Tab' && wrapTab(root, event.shiftKey)) {
        event.preventDefault();
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

function viewKey(event: KeyboardEvent, target: HTMLElement | null, typing: boolean): Parameters<typeof scrollView>[1] | undefined {
  if (event.key === 'PageDown') return 'page-down';
  if (event.key === 'PageUp') return 'page-up';
  if (typing) return undefined;
  if (event.key === 'Home') return 'top';
  if (event.key === 'End') return 'bottom';
  if (event.key === ' ' && !target?.matches(SPACE_USERS)) return event.shiftKey ? 'page-up' : 'page-down';
  return undefined;
}

/**
 * Tab with no control after the focus in the scope (Shift+Tab: none before) goes round to the first
 * (last) one, where the browser would let the focus leave the page; true when it did.
 */
function wrapTab(root: HTMLElement, backwards: boolean): boolean {
  const controls = focusableIn(root);
  const active = document.activeElement;
  if (controls.length === 0 || !(active instanceof HTMLElement) || !root.contains(active)) return false;
  const ahead = (control: HTMLElement) =>
    control !== active &&
    (active.compareDocumentPosition(control) & (backwards ? Node.DOCUMENT_POSITION_PRECEDING : Node.DOCUMENT_POSITION_FOLLOWING)) !== 0;
  if (controls.some(ahead)) return false;
  (backwards ? controls.at(-1) : controls[0])!.focus();
  return true;
}
