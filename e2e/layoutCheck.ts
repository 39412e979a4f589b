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
  document: { readonly documentElement: PageElement; querySelectorAll(selector: string): ArrayLike<PageElement> };
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

/**
 * A screenshot of the state at each panel size (`NAME-WxH.png`), `inSight` scrolled into view first,
 * each checked with expectLayoutHolds at its own size; leaves the page at the first size.
 */
export async function screenshotsAtPanelSizes(page: Page, name: string, inSight?: Locator): Promise<void> {
  for (const size of PANEL_SIZES) {
    await page.setViewportSize(size);
    await inSight?.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`), animations: 'disabled', caret: 'hide' });
    await expectLayoutHolds(page, [size]);
  }
  await page.setViewportSize(PANEL_MAIN);
}
