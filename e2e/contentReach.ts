import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures.js';

/**
 * Every piece of content reachable with the keys alone: pressing one key over and over (as a d-pad
 * wearer holds Down, or a kiosk user presses PageDown), every line of text in a region must come
 * fully into view at some point, whether or not a control is near it.
 */

/** A type-only view of the page's DOM for the functions below (the root tsconfig has no DOM library). */
interface PageNode {
  nodeType: number;
  textContent: string | null;
}
interface PageElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<PageNode>;
  readonly scrollTop: number;
  readonly clientTop: number;
  readonly clientHeight: number;
  getAttribute(name: string): string | null;
  getClientRects(): { readonly length: number };
  checkVisibility(): boolean;
  getBoundingClientRect(): { top: number; bottom: number; left: number; right: number; width: number; height: number };
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  contains(other: unknown): boolean;
}
interface PageGlobals {
  innerHeight: number;
  document: { readonly activeElement: PageElement | null };
  e2eSeen?: { tops: Set<PageElement>; bottoms: Set<PageElement> };
}

export interface Reading {
  /** Lines of text never shown in full, by their text. */
  unseen: string[];
  /** Key presses until neither the focus nor the view moved any more. */
  presses: number;
}

/** Runs in the page: records which text lines of `region` show their top and bottom edges now. */
function look(region: PageElement, reset: boolean): { scrollTop: number; active: string } {
  const g = globalThis as unknown as PageGlobals;
  if (reset || !g.e2eSeen) g.e2eSeen = { tops: new Set(), bottoms: new Set() };
  const seen = g.e2eSeen;
  const box = region.getBoundingClientRect();
  const top = Math.max(0, box.top + region.clientTop);
  const bottom = Math.min(g.innerHeight, box.top + region.clientTop + region.clientHeight);
  for (const el of Array.from(region.querySelectorAll('*'))) {
    if (!Array.from(el.childNodes).some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== '')) continue;
    // Laid out and shown: not in a closed disclosure, whose content keeps its boxes.
    if (el.getClientRects().length === 0 || !el.checkVisibility()) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue;
    if (rect.top >= top - 1 && rect.top <= bottom + 1) seen.tops.add(el);
    if (rect.bottom >= top - 1 && rect.bottom <= bottom + 1) seen.bottoms.add(el);
  }
  const active = g.document.activeElement;
  return {
    scrollTop: region.scrollTop,
    active: active ? `${active.tagName}:${(active.textContent ?? '').slice(0, 40)}:${active.getBoundingClientRect().top}` : '',
  };
}

/** Runs in the page: the text lines of `region` whose top or bottom never showed. */
function unseenLines(region: PageElement): string[] {
  const g = globalThis as unknown as PageGlobals;
  const seen = g.e2eSeen!;
  const lines: string[] = [];
  for (const el of Array.from(region.querySelectorAll('*'))) {
    if (!Array.from(el.childNodes).some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== '')) continue;
    // Laid out and shown: not in a closed disclosure, whose content keeps its boxes.
    if (el.getClientRects().length === 0 || !el.checkVisibility()) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue;
    if (!seen.tops.has(el) || !seen.bottoms.has(el))
      lines.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60)}"`);
  }
  return lines;
}

/**
 * Presses `key` until neither the focus nor the region's view moves for two presses (at most
 * `limit` times), noting after each press which lines of text showed; returns the lines that never
 * showed in full.
 */
export async function readWithKey(page: Page, region: Locator, key: string, limit = 300): Promise<Reading> {
  const lookAt = look as unknown as (el: unknown, reset: boolean) => { scrollTop: number; active: string };
  let last = await region.evaluate(lookAt, true);
  let still = 0;
  let presses = 0;
  while (still < 2 && presses < limit) {
    await page.keyboard.press(key);
    presses++;
    const now = await region.evaluate(lookAt, false);
    still = now.scrollTop === last.scrollTop && now.active === last.active ? still + 1 : 0;
    last = now;
  }
  return { unseen: await region.evaluate(unseenLines as unknown as (el: unknown) => string[]), presses };
}

/** `key`, pressed over and over, shows every line of `region` (it must be scrolled to its start first). */
export async function expectKeyReadsEverything(page: Page, region: Locator, key: string): Promise<void> {
  const reading = await readWithKey(page, region, key);
  expect(reading.unseen, `lines of text that ${key} never showed in full`).toEqual([]);
}
