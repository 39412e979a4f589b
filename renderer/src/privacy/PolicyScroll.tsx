import type { KeyboardEvent, Ref } from 'react';
import { PolicyText } from './PolicyText.js';

/** Share of the box's height one ArrowUp/ArrowDown scrolls: enough to move on, with context kept. */
const STEP = 0.6;

/**
 * Up and Down (d-pad) scroll the box by a good part of its height; only at its top or bottom end is
 * the key left to spatial navigation, which then moves the focus out of the box.
 */
export function scrollOnArrows(event: KeyboardEvent<HTMLElement>): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const box = event.currentTarget;
  const down = event.key === 'ArrowDown';
  const atEnd = down ? box.scrollTop + box.clientHeight >= box.scrollHeight - 1 : box.scrollTop <= 0;
  if (atEnd) return;
  event.preventDefault();
  // The arrow belongs to the box: the window's spatial navigation must not also move the focus.
  event.stopPropagation();
  box.scrollBy({ top: (down ? 1 : -1) * Math.round(box.clientHeight * STEP), behavior: 'instant' });
}

/** The privacy policy in a focusable box that the keyboard and the controller can scroll. */
export function PolicyScroll({ className = '', ref }: { className?: string; ref?: Ref<HTMLDivElement> }) {
  return (
    <div
      ref={ref}
      className={`policy-scroll ${className}`}
      tabIndex={0}
      role="region"
      aria-label="Privacy policy text (Up and Down scroll)"
      onKeyDown={scrollOnArrows}
    >
      <PolicyText />
    </div>
  );
}
