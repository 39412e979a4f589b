import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { SCREENSHOTS, expect } from './fixtures.js';

/**
 * The layout holds: on the panel's sizes nothing is wider than its box, no text is cut off, nothing
 * lies outside the screen sideways, and nothing is out of reach below a screen that does not scroll.
 * Called wherever a test has brought the UI into a state worth a screenshot, so every screen and
 * state the suite reaches is checked at every size the headset's panel and the kiosk screens have.
 */

export interface Size {
  width: number;
  height: number;
}

/** The in-VR panel's usual size, where tests leave the page. */
export const PANEL_MAIN: Size = { width: 1280, height: 720 };

/** The in-VR panel and the recovery kiosk's screens. */
export const PANEL_SIZES: readonly Size[] = [PANEL_MAIN, { width: 1024, height: 600 }];

/** What the page's layout check returns: one line per element that breaks the layout. */
type Problems = string[];

/** A type-only view of the page's DOM for the function below (the root tsconfig has no DOM library). */
interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}
interface PageElement {
  readonly tagName: string;
  readonly id: string;
  readonly className: unknown;
  readonly textContent: string | null;
  readonly parentElement: PageElement | null;
  readonly childNodes: ArrayLike<{ nodeType: number; textContent: string | null }>;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
  readonly scrollTop: number;
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
  contains(other: PageElement): boolean;
  getClientRects(): { readonly length: number };
  checkVisibility(): boolean;
  getBoundingClientRect(): Box;
}
interface PageGlobals {
  innerWidth: number;
  innerHeight: number;
  HTMLElement: abstract new () => PageElement;
  document: {
    readonly documentElement: PageElement;
    readonly body: PageElement;
    readonly activeElement: PageElement | null;
    querySelectorAll(selector: string): ArrayLike<PageElement>;
  };
  getComputedStyle(element: PageElement): { overflowX: string; overflowY: string; visibility: string; display: string; position: string };
  requestAnimationFrame(callback: () => void): number;
}

/**
 * Runs in the page. An element breaks the layout when
 * - it holds text and its content is wider than its box (scrollWidth > clientWidth): text cut off by
 *   a clipping box, or spilling out of it, or a scroll bar sideways;
 * - it holds text taller than itself (and is not a scroll region): lines cut off by a clipping
 *   box, or running over what follows;
 * - it lies outside the viewport sideways;
 * and the page breaks it when it is taller than the viewport (the body does not scroll: what lies
 * below is out of reach; screens scroll inside their own regions).
 * Only the innermost element of a nest of offenders is named: that is where the fix goes.
 */
export function layoutProblems(): Problems {
  const g = globalThis as unknown as PageGlobals;
  const describe = (el: PageElement) => {
    const classes = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const text = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 50);
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${classes} "${text}"`;
  };
  const clips = (overflow: string) => overflow !== 'visible';
  const offenders = new Map<PageElement, string>();
  for (const el of Array.from(g.document.querySelectorAll('body *'))) {
    if (!(el instanceof g.HTMLElement)) continue;
    // Laid out and shown: not in a closed disclosure, whose content keeps its boxes.
    if (el.getClientRects().length === 0 || !el.checkVisibility()) continue;
    const style = g.getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'contents') continue;
    const rect = el.getBoundingClientRect();
    // Visually hidden text for screen readers is a 1 px box on purpose.
    if (rect.width <= 1 || rect.height <= 1) continue;
    const hasText = (el.textContent ?? '').trim() !== '';
    if (hasText && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
      offenders.set(el, `${describe(el)}: content ${el.scrollWidth} px wide in a box of ${el.clientWidth} px`);
      continue;
    }
    // Words taller than their box: a box that clips (and is not a scroll region) hides them, any
    // other lets them run over what follows (a squeezed entry of the side menu).
    const scrollRegion = style.overflowY === 'auto' || style.overflowY === 'scroll';
    if (hasText && !scrollRegion && el.clientHeight > 0 && el.scrollHeight > el.clientHeight + 1) {
      const how = clips(style.overflowY) ? 'that clips' : 'and runs over what follows';
      offenders.set(el, `${describe(el)}: content ${el.scrollHeight} px tall in a box of ${el.clientHeight} px ${how}`);
      continue;
    }
    if (rect.left < -1 || rect.right > g.innerWidth + 1)
      offenders.set(el, `${describe(el)}: from ${Math.round(rect.left)} to ${Math.round(rect.right)} px, outside the ${g.innerWidth} px screen`);
  }
  const innermost = [...offenders].filter(([el]) => ![...offenders.keys()].some((other) => other !== el && el.contains(other)));
  const problems = innermost.map(([, problem]) => problem);
  const page = g.document.documentElement;
  if (page.scrollHeight > g.innerHeight + 1)
    problems.push(`the page is ${page.scrollHeight} px tall on a ${g.innerHeight} px screen and does not scroll: what lies below is cut off`);
  return problems;
}

/**
 * Runs in the page, on a screen just opened. A screen opens at its top: no region of it (nor the
 * page) is scrolled down, which would cut off its first lines (the setup wizard's step indicator
 * did, scrolled away to bring its autofocused Continue button into view). And the control that
 * has the focus is in sight, whole: the first key press acts on something the wearer can see.
 */
export function openingProblems(): Problems {
  const g = globalThis as unknown as PageGlobals;
  // A page function carries its own helpers: it is sent to the page as source.
  const describe = (el: PageElement) => {
    const classes = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const text = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 50);
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${classes} "${text}"`;
  };
  const problems: Problems = [];
  const regions = [g.document.documentElement, ...Array.from(g.document.querySelectorAll('body *'))];
  for (const el of regions) {
    // The navigation rail scrolls on purpose on a short panel: it keeps the current entry in sight.
    if (el.closest('nav')) continue;
    if (el.scrollTop > 1) problems.push(`${describe(el)} opened scrolled down by ${Math.round(el.scrollTop)} px: its top is cut off`);
  }
  const focused = g.document.activeElement;
  if (focused && focused !== g.document.body) {
    const rect = focused.getBoundingClientRect();
    let sight = { top: 0, bottom: g.innerHeight, left: 0, right: g.innerWidth };
    for (let at = focused.parentElement; at; at = at.parentElement) {
      const style = g.getComputedStyle(at);
      if (style.overflowY === 'visible' && style.overflowX === 'visible') continue;
      const box = at.getBoundingClientRect();
      sight = {
        top: Math.max(sight.top, box.top),
        bottom: Math.min(sight.bottom, box.top + at.clientHeight),
        left: Math.max(sight.left, box.left),
        right: Math.min(sight.right, box.left + at.clientWidth),
      };
    }
    if (rect.top < sight.top - 1 || rect.bottom > sight.bottom + 1 || rect.left < sight.left - 1 || rect.right > sight.right + 1)
      problems.push(
        `the focused ${describe(focused)} is out of sight (${Math.round(rect.top)} to ${Math.round(rect.bottom)} px, in sight ${Math.round(sight.top)} to ${Math.round(sight.bottom)} px)`,
      );
  }
  return problems;
}

/** The screen the page shows was just opened: it shows its top, and the focus in sight (see openingProblems). */
export async function expectOpensAtTop(page: Page): Promise<void> {
  await settle(page);
  expect.soft(await page.evaluate(openingProblems), `a screen just opened at ${describeSize(page)}`).toEqual([]);
}

function describeSize(page: Page): string {
  const size = page.viewportSize();
  return size ? `${size.width} × ${size.height}` : 'the page size';
}

/** Two frames: the layout after a resize, and whatever the screens do on it, have settled. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const g = globalThis as unknown as PageGlobals;
        g.requestAnimationFrame(() => g.requestAnimationFrame(() => resolve()));
      }),
  );
}

/**
 * The layout holds in the state the page is in, at each of `sizes` (default: the panel's 1280 × 720
 * and 1024 × 600), and at the size the test runs at. The viewport is put back afterwards.
 */
export async function expectLayoutHolds(page: Page, sizes: readonly Size[] = PANEL_SIZES): Promise<void> {
  const original = page.viewportSize();
  try {
    for (const size of [...(original ? [original] : []), ...sizes]) {
      await page.setViewportSize(size);
      await settle(page);
      expect.soft(await page.evaluate(layoutProblems), `layout at ${size.width} × ${size.height}`).toEqual([]);
    }
  } finally {
    if (original) {
      await page.setViewportSize(original);
      await settle(page);
    }
  }
}

/** What screenshotsAtPanelSizes does at each size besides the screenshot and the layout check. */
export interface PanelShots {
  /** Brought into sight first, if it is not (a resize moves the scroll). */
  inSight?: Locator;
  /** Scrolled to the top of its region first: the screenshot shows what follows it. */
  atTop?: Locator;
  /** More checks of the state at this size, before its screenshot. */
  atEachSize?: (size: Size) => Promise<void>;
}

/**
 * A screenshot of the state at each panel size (`NAME-WxH.png`), each checked with expectLayoutHolds
 * at its own size; `shots` (or the locator to bring into sight) says what else happens at each size.
 * Leaves the page at the first size.
 */
export async function screenshotsAtPanelSizes(page: Page, name: string, shots: Locator | PanelShots = {}): Promise<void> {
  const { inSight, atTop, atEachSize } = 'scrollIntoViewIfNeeded' in shots ? { inSight: shots, atTop: undefined, atEachSize: undefined } : shots;
  for (const size of PANEL_SIZES) {
    await page.setViewportSize(size);
    await inSight?.scrollIntoViewIfNeeded();
    await atTop?.evaluate((el) => (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' }));
    await atEachSize?.(size);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`), animations: 'disabled', caret: 'hide' });
    await expectLayoutHolds(page, [size]);
  }
  await page.setViewportSize(PANEL_MAIN);
}
