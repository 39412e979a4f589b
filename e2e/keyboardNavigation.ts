import type { Locator, Page } from '@playwright/test';
import type { BrowserElement, BrowserGlobals } from './browserGlobals.js';
import { expect } from './fixtures.js';

/**
 * Keyboard only, as on the headset (controller d-pad, or a keyboard on the recovery kiosk): from the
 * page load on, arrows and Tab must reach every control, focus must be visible from a metre away,
 * and every target must be at least 48 × 48 CSS px.
 */

interface Focusable {
  id: number;
  label: string;
}

interface Probe {
  focusables: Focusable[];
  active: (Focusable & { outlineStyle: string; outlineWidth: number }) | null;
  /** Where the page's scrolling regions stand: a key that reads on through a tall block scrolls, the focus staying. */
  scrolled: string;
}

/**
 * Runs in the page: the focusable controls on screen (by the platform's rules, not the app's own
 * selector), and the focused one with its focus ring. Elements get a stable id per page.
 */
export function probe(): Probe {
  const g = globalThis as unknown as BrowserGlobals & { e2eIds?: WeakMap<BrowserElement, number>; e2eNextId?: number };
  const ids = (g.e2eIds ??= new WeakMap());
  const idOf = (el: BrowserElement): number => {
    let id = ids.get(el);
    if (id === undefined) {
      id = g.e2eNextId = (g.e2eNextId ?? 0) + 1;
      ids.set(el, id);
    }
    return id;
  };
  const label = (el: BrowserElement) =>
    `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60)}"`;
  const selector =
    'a[href], area[href], button, input, select, textarea, iframe, summary, [tabindex], [contenteditable=""], [contenteditable="true"]';
  const focusables = Array.from(g.document.querySelectorAll(selector)).filter(
    (el) =>
      !el.matches(':disabled') &&
      el.getAttribute('tabindex') !== '-1' &&
      !el.closest('[inert]') &&
      el.getClientRects().length > 0 &&
      g.getComputedStyle(el).visibility !== 'hidden',
  );
  const active = g.document.activeElement;
  const focused = active && active !== g.document.body && active !== g.document.documentElement ? active : null;
  const style = focused ? g.getComputedStyle(focused) : undefined;
  const scrolled = Array.from(g.document.querySelectorAll('*'))
    .map((el) => (el as unknown as { scrollTop: number }).scrollTop)
    .filter((top) => top > 0)
    .join(',');
  return {
    scrolled,
    focusables: focusables.map((el) => ({ id: idOf(el), label: label(el) })),
    active:
      focused && style
        ? { id: idOf(focused), label: label(focused), outlineStyle: style.outlineStyle, outlineWidth: Number.parseFloat(style.outlineWidth) }
        : null,
  };
}

interface Walk {
  expected: Map<number, string>;
  reached: Map<number, string>;
  /** Focused elements whose focus ring is missing or thinner than 3 px. */
  invisibleFocus: string[];
}

/**
 * Presses `keys` over and over and records every element that receives focus. Each key is pressed
 * until focus stops moving, for as many rounds as there are controls (or until every control was
 * reached), so any control connected to the start by these keys is reached.
 */
async function walk(page: Page, keys: readonly string[]): Promise<Walk> {
  const start = await page.evaluate(probe);
  const expected = new Map(start.focusables.map((f) => [f.id, f.label]));
  const reached = new Map<number, string>();
  const invisibleFocus = new Set<string>();
  const record = (p: Probe) => {
    if (!p.active) return;
    reached.set(p.active.id, p.active.label);
    if (p.active.outlineStyle === 'none' || p.active.outlineWidth < 3)
      invisibleFocus.add(`${p.active.label}: outline ${p.active.outlineStyle} ${p.active.outlineWidth}px`);
  };
  const rounds = expected.size + 1;
  const done = () => [...expected.keys()].every((id) => reached.has(id));
  for (let round = 0; round < rounds && !done(); round++) {
    for (const key of keys) {
      for (let i = 0; i < rounds; i++) {
        const before = await page.evaluate(probe);
        await page.keyboard.press(key);
        const after = await page.evaluate(probe);
        record(after);
        if (stuck(before, after) || done()) break;
      }
    }
  }
  return { expected, reached, invisibleFocus: [...invisibleFocus] };
}

/** Neither the focus nor the view moved: pressing the key again changes nothing. */
function stuck(before: Probe, after: Probe): boolean {
  return after.active?.id === before.active?.id && after.scrolled === before.scrolled;
}

/** Presses in a row that only read on through one tall block before the focus moves: a screen's worth at most. */
const MAX_READING_PRESSES = 40;

/** Runs in the page: focuses the control `probe` named `id`. */
function focusById(id: number): boolean {
  const g = globalThis as unknown as BrowserGlobals & { e2eIds?: WeakMap<BrowserElement, number> };
  const element = Array.from(g.document.querySelectorAll('*')).find((el) => g.e2eIds?.get(el) === id);
  element?.focus();
  return element !== undefined;
}

/**
 * Every control the arrow keys lead to from the focused one, breadth first: from each control
 * reached, each key is pressed once (focus is put back on the control before each press), so a
 * control is missed only if no sequence of these keys leads to it.
 */
async function explore(page: Page, keys: readonly string[]): Promise<Walk> {
  const start = await page.evaluate(probe);
  const expected = new Map(start.focusables.map((f) => [f.id, f.label]));
  const reached = new Map<number, string>();
  const invisibleFocus = new Set<string>();
  if (!start.active) return { expected, reached, invisibleFocus: [] };
  reached.set(start.active.id, start.active.label);
  // Controls are explored before content stops (panels, log entries): most controls lead to the
  // rest, and the walk ends once every control is reached.
  const controls = [start.active.id];
  const stops: number[] = [];
  const all = () => [...expected.keys()].every((id) => reached.has(id));
  while ((controls.length > 0 || stops.length > 0) && !all()) {
    const from = (controls.shift() ?? stops.shift())!;
    for (const key of keys) {
      expect(await page.evaluate(focusById, from), 'a control reached before is still there').toBe(true);
      // Held down: a press that only scrolls on through a tall block is followed by the next.
      let before = await page.evaluate(probe);
      await page.keyboard.press(key);
      let after = await page.evaluate(probe);
      for (let i = 0; i < MAX_READING_PRESSES && after.active?.id === before.active?.id && after.scrolled !== before.scrolled; i++) {
        before = after;
        await page.keyboard.press(key);
        after = await page.evaluate(probe);
      }
      if (!after.active) continue;
      if (after.active.outlineStyle === 'none' || after.active.outlineWidth < 3)
        invisibleFocus.add(`${after.active.label}: outline ${after.active.outlineStyle} ${after.active.outlineWidth}px`);
      if (!reached.has(after.active.id)) {
        reached.set(after.active.id, after.active.label);
        (expected.has(after.active.id) ? controls : stops).push(after.active.id);
      }
    }
  }
  await page.evaluate(focusById, start.active.id);
  return { expected, reached, invisibleFocus: [...invisibleFocus] };
}

/** Arrows (the d-pad) reach every control, Tab reaches every control, and focus is always visible. */
export async function expectKeyboardReachesEverything(
  page: Page,
  arrows: readonly string[] = ['ArrowDown', 'ArrowRight', 'ArrowUp', 'ArrowLeft'],
): Promise<void> {
  // Focus is somewhere from the start: the screen puts it on its first control.
  const initial = await page.evaluate(probe);
  expect(initial.focusables.length, 'the screen has controls').toBeGreaterThan(0);
  expect(initial.active, 'a control has focus on load').not.toBeNull();

  for (const keys of [arrows, ['Tab'], ['Shift+Tab']]) {
    const result = keys.length > 1 ? await explore(page, keys) : await walk(page, keys);
    const missed = [...result.expected].filter(([id]) => !result.reached.has(id)).map(([, label]) => label);
    expect(missed, `controls that ${keys.join('/')} never reach`).toEqual([]);
    expect(result.invisibleFocus, `focus rings while pressing ${keys.join('/')}`).toEqual([]);
  }
}

/** Every button and other control is a target of at least 48 × 48 CSS px. */
export async function expectLargeTargets(page: Page): Promise<void> {
  const controls = page.locator('button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"])');
  const count = await controls.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    const control = controls.nth(i);
    if (!(await control.isVisible())) continue;
    const box = await control.boundingBox();
    const name = (await control.textContent())?.trim() ?? '';
    expect(box, `"${name}" has a box`).not.toBeNull();
    expect.soft(box!.width, `width of "${name}"`).toBeGreaterThanOrEqual(48);
    expect.soft(box!.height, `height of "${name}"`).toBeGreaterThanOrEqual(48);
  }
}

/**
 * Moves focus to `target` with arrow keys only, the way a wearer with a d-pad would look for it:
 * each direction in turn, pressed until focus stops moving. Fails if the arrows never get there.
 */
export async function focusWithArrows(
  page: Page,
  target: Locator,
  keys: readonly string[] = ['ArrowDown', 'ArrowRight', 'ArrowUp', 'ArrowLeft'],
): Promise<void> {
  await expect(target).toBeVisible();
  const isTarget = () => target.evaluate((el) => el === (globalThis as unknown as BrowserGlobals).document.activeElement);
  // With all four arrows, first towards the target as a person would; then every direction in turn.
  if (ARROWS.every((key) => keys.includes(key)) && (await steer(page, target, 60))) return;
  for (let round = 0; round < 4; round++) {
    for (const key of keys) {
      for (let i = 0; i < 30 + MAX_READING_PRESSES; i++) {
        if (await isTarget()) return;
        const before = await page.evaluate(probe);
        await page.keyboard.press(key);
        if (stuck(before, await page.evaluate(probe))) break;
      }
    }
  }
  await expect(target, 'reached with the arrow keys').toBeFocused();
}

const ARROWS = ['ArrowDown', 'ArrowRight', 'ArrowUp', 'ArrowLeft'];

/**
 * Arrows towards `target` as a person would: up or down to its row first, then along the row.
 * (focusWithArrows walks each direction to its end, which never turns into a row of chips.)
 */
export async function arrowTo(page: Page, target: Locator): Promise<void> {
  await expect(target).toBeVisible();
  await steer(page, target, 200);
  await expect(target, 'reached with the arrow keys').toBeFocused();
}

/** Up to `limit` arrow presses towards `target`; whether it has the focus then. */
async function steer(page: Page, target: Locator, limit: number): Promise<boolean> {
  // Where Up or Down led nowhere (the end of the rail), the next press goes sideways towards the target.
  let blocked = false;
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === (globalThis as unknown as BrowserGlobals).document.activeElement)) return true;
    const t = (await target.boundingBox())!;
    const focused = page.locator(':focus');
    const a = ((await focused.count()) === 1 ? await focused.boundingBox() : null) ?? { x: 0, y: 0, width: 0, height: 0 };
    const dx = t.x + t.width / 2 - (a.x + a.width / 2);
    const ty = t.y + t.height / 2;
    // Rows that overlap are one row: move along it; otherwise first to the target's row. A tall
    // block of content (a panel the arrows stop at) is left upwards or downwards first unless
    // the target sits beside it.
    const sameRow = ty > a.y && ty < a.y + a.height;
    const vertical: boolean = !sameRow && !blocked;
    const before = await page.evaluate(probe);
    await page.keyboard.press(vertical ? (ty > a.y + a.height / 2 ? 'ArrowDown' : 'ArrowUp') : dx > 0 ? 'ArrowRight' : 'ArrowLeft');
    blocked = vertical && stuck(before, await page.evaluate(probe));
  }
  return target.evaluate((el) => el === (globalThis as unknown as BrowserGlobals).document.activeElement);
}
