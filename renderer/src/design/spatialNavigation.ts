import { arrowTarget } from './arrowTarget.js';
import type { Direction } from './nextStop.js';
import { blockInView, pageScroll, readingScroll, type Band } from './scrollGeometry.js';

/**
 * Arrow-key (and controller d-pad) focus movement: the nearest focusable control in the pressed
 * direction, the next row first and in it the control straight ahead (see nextStop).
 *
 * Content is reached the same way: a panel without controls (Home's facts and health, the log's
 * charts) and an element marked `data-reading-stop` (a log entry) are stops for the arrows too,
 * though not for Tab. A stop taller than the view is read through: Up and Down scroll it before
 * the focus moves on, so no line is ever skipped.
 */
export type { Direction };

const FOCUSABLE =
  'button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), details > summary:first-of-type, [tabindex]:not([tabindex="-1"])';

/** Parts of a screen that Up and Down do not leave: Left and Right go from one to the other. */
const SECTION = 'nav, main';

/** Content the arrows stop at: panels that hold no control, and what a screen marks. */
const READING_STOP = '.panel, [data-reading-stop]';

export const ARROW_KEYS: Record<string, Direction> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };

/** On screen: laid out, and not inside a closed disclosure (whose content keeps its boxes) or an inert part. */
const shown = (el: Element) => el.getClientRects().length > 0 && el.checkVisibility() && !el.closest('[inert]');

/** The controls in `scope` (what Tab reaches), in document order. */
export function focusableIn(scope: ParentNode): HTMLElement[] {
  return [...scope.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(shown);
}

/** Everything the arrows stop at in `scope`, in document order: controls, marked content, panels with no control inside. */
export function stopsIn(scope: ParentNode): HTMLElement[] {
  return [...scope.querySelectorAll<HTMLElement>(`${FOCUSABLE}, ${READING_STOP}`)].filter(
    (el) => shown(el) && (el.matches(FOCUSABLE) || el.hasAttribute('data-reading-stop') || el.querySelector(FOCUSABLE) === null),
  );
}

function isReadingStop(el: HTMLElement): boolean {
  return !el.matches(FOCUSABLE) && el.matches(READING_STOP);
}

/**
 * Focuses a stop and brings it into its region's view, nearest edge first: a block taller than the
 * view shows its top when reached going down and its bottom going up, so reading goes on from there.
 * (focus() alone would centre it and hide its start.) Content stops are focusable by script only.
 */
export function focusStop(el: HTMLElement): void {
  if (isReadingStop(el) && !el.hasAttribute('tabindex')) el.tabIndex = -1;
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

export function moveFocus(scope: HTMLElement, direction: Direction): boolean {
  const candidates = stopsIn(scope);
  const from = document.activeElement instanceof HTMLElement && scope.contains(document.activeElement) ? document.activeElement : undefined;
  if (!from) {
    const first = candidates[0];
    if (first) focusStop(first);
    return first !== undefined;
  }
  if ((direction === 'up' || direction === 'down') && isReadingStop(from) && readOn(from, direction === 'down')) return true;
  // Up and Down stay in the part of the screen they start in (the navigation rail, or the screen's
  // content): the end of the rail does not lead into the content, nor the top of the content into the rail.
  const section = direction === 'up' || direction === 'down' ? from.closest(SECTION) : null;
  const reachable = candidates.filter((candidate) => candidate === from || !section || section.contains(candidate));
  if (!reachable.includes(from)) reachable.push(from);
  // Stops inside stops (a log entry and its details button): arrowTarget knows which holds which.
  const index = new Map(reachable.map((el, i) => [el, i]));
  const stops = reachable.map((el) => {
    const rect = el.getBoundingClientRect();
    return { top: rect.top, bottom: rect.bottom, left: rect.left, right: rect.right, within: nearestStopAround(el, index) };
  });
  const best = reachable[arrowTarget(stops, reachable.indexOf(from), direction)];
  if (best) focusStop(best);
  return best !== undefined;
}

/** The index of the nearest ancestor of `el` that is a stop, or -1. */
function nearestStopAround(el: HTMLElement, index: ReadonlyMap<Element, number>): number {
  for (let at = el.parentElement; at; at = at.parentElement) {
    const i = index.get(at);
    if (i !== undefined) return i;
  }
  return -1;
}

/** Scrolls on through a focused block that goes on beyond the view; false when its end shows. */
function readOn(block: HTMLElement, down: boolean): boolean {
  const region = scrollRegionOf(block);
  if (!region) return false;
  const rect = block.getBoundingClientRect();
  const by = readingScroll(visibleBand(region), { top: rect.top, bottom: rect.bottom }, down);
  if (by === 0 || !canScroll(region, by)) return false;
  region.scrollBy({ top: by, behavior: 'instant' });
  return true;
}

/**
 * PageDown/PageUp, Home/End move the view of the screen's content (or of a scrolling box in it that
 * has the focus); a focus inside that region follows to the first stop now in view (the last
 * one for End), so the next arrow goes on from what is shown. Focus outside it (the navigation
 * rail) stays. Returns whether anything moved.
 */
export function scrollView(scope: HTMLElement, how: 'page-down' | 'page-up' | 'top' | 'bottom'): boolean {
  const active = document.activeElement instanceof HTMLElement && scope.contains(document.activeElement) ? document.activeElement : undefined;
  // The screen's content, or a scrolling box inside it that has the focus (not the navigation rail's list).
  const main = mainRegionOf(scope);
  const own = active && scrollRegionOf(active);
  const region = own && (!main || main.contains(own)) ? own : main;
  if (!region) return false;
  const before = region.scrollTop;
  if (how === 'top') region.scrollTo({ top: 0, behavior: 'instant' });
  else if (how === 'bottom') region.scrollTo({ top: region.scrollHeight, behavior: 'instant' });
  else region.scrollBy({ top: pageScroll(visibleBand(region), how === 'page-down'), behavior: 'instant' });
  const moved = region.scrollTop !== before;
  if (!active || !region.contains(active)) return moved;
  // At the end already, PageDown goes on to the last stop; otherwise reading goes on from the top of what shows.
  const fromEnd = how === 'bottom' || (how === 'page-down' && !moved);
  const stops = stopsIn(region);
  const at = blockInView(
    visibleBand(region),
    stops.map((el) => {
      const rect = el.getBoundingClientRect();
      return { top: rect.top, bottom: rect.bottom };
    }),
    fromEnd,
  );
  const next = stops[at];
  if (!next || next === active) return moved;
  if (isReadingStop(next) && !next.hasAttribute('tabindex')) next.tabIndex = -1;
  next.focus({ preventScroll: true });
  return true;
}

/** The nearest ancestor (or the element) that scrolls vertically and has more than it shows. */
function scrollRegionOf(el: HTMLElement): HTMLElement | undefined {
  for (let at: HTMLElement | null = el; at; at = at.parentElement) {
    if (scrolls(at)) return at;
  }
  return undefined;
}

/** The scope's own scrolling region: the scope, or its main content. */
function mainRegionOf(scope: HTMLElement): HTMLElement | undefined {
  return [scope, ...scope.querySelectorAll<HTMLElement>('main, [data-scroll-region]')].find(scrolls);
}

function scrolls(el: HTMLElement): boolean {
  const overflow = getComputedStyle(el).overflowY;
  return (overflow === 'auto' || overflow === 'scroll') && el.scrollHeight > el.clientHeight + 1;
}

function canScroll(region: HTMLElement, by: number): boolean {
  return by > 0 ? region.scrollTop + region.clientHeight < region.scrollHeight - 1 : region.scrollTop > 0;
}

/** The part of the region its content shows in, in viewport coordinates. */
function visibleBand(region: HTMLElement): Band {
  const rect = region.getBoundingClientRect();
  const top = Math.max(0, rect.top + region.clientTop);
  return { top, bottom: Math.min(window.innerHeight, rect.top + region.clientTop + region.clientHeight) };
}
