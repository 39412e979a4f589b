import type { KeyboardEvent } from 'react';
import { ARROW_KEYS, moveFocus } from '../design/spatialNavigation.js';

/**
 * Arrow keys around a scrolling list of choices. Spatial navigation measures where controls are,
 * and a half-hidden tile in a scrolled box sits partly below the box: measured as is, Down could skip
 * the next row for the buttons under the box, and Up from those buttons could miss the list.
 *
 * Inside the box, arrows move among its own controls (the focused one scrolls into view) and leave
 * the key to the page's navigation only at an edge of the box.
 */
export function navigateWithin(event: KeyboardEvent<HTMLElement>): void {
  const direction = ARROW_KEYS[event.key];
  if (!direction || event.altKey || event.ctrlKey || event.metaKey) return;
  if (moveFocus(event.currentTarget, direction)) {
    event.preventDefault();
    event.stopPropagation();
  }
}

/**
 * Entering the box from a control above (Down) or below (Up): first scroll the box to that end, so
 * the page's navigation, which runs next, finds the row nearest to where the focus comes from.
 */
export function scrollToEdgeOnEntry(event: KeyboardEvent<HTMLElement>, box: HTMLElement | null, key: 'ArrowDown' | 'ArrowUp'): void {
  if (!box || event.key !== key) return;
  box.scrollTop = key === 'ArrowDown' ? 0 : box.scrollHeight;
}
