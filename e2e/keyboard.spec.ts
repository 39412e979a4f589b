import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { BrowserElement, BrowserGlobals } from './browserGlobals.js';
import { expect, openUi, test, waitForLiveHome } from './fixtures.js';

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
}

/**
 * Runs in the page: the focusable controls on screen (by the platform's rules, not the app's own
 * selector), and the focused one with its focus ring. Elements get a stable id per page.
 */
function probe(): Probe {
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
  const label = (el: BrowserElement) => `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60)}"`;
  const selector = 'a[href], area[href], button, input, select, textarea, iframe, summary, [tabindex], [contenteditable=""], [contenteditable="true"]';
  const focusables = Array.from(g.document.querySelectorAll(selector)).filter(
    (el) => !el.matches(':disabled') && el.getAttribute('tabindex') !== '-1' && !el.closest('[inert]') && el.getClientRects().length > 0 && g.getComputedStyle(el).visibility !== 'hidden',
  );
  const active = g.document.activeElement;
  const focused = active && active !== g.document.body && active !== g.document.documentElement ? active : null;
  const style = focused ? g.getComputedStyle(focused) : undefined;
  return {
    focusables: focusables.map((el) => ({ id: idOf(el), label: label(el) })),
    active: focused && style ? { id: idOf(focused), label: label(focused), outlineStyle: style.outlineStyle, outlineWidth: Number.parseFloat(style.outlineWidth) } : null,
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
 * until focus stops moving, for as many rounds as there are controls, so any control connected to
 * the start by these keys is reached.
 */
async function walk(page: Page, keys: readonly string[]): Promise<Walk> {
  const start = await page.evaluate(probe);
  const expected = new Map(start.focusables.map((f) => [f.id, f.label]));
  const reached = new Map<number, string>();
  const invisibleFocus = new Set<string>();
  const record = (p: Probe) => {
    if (!p.active) return;
    reached.set(p.active.id, p.active.label);
    if (p.active.outlineStyle === 'none' || p.active.outlineWidth < 3) invisibleFocus.add(`${p.active.label}: outline ${p.active.outlineStyle} ${p.active.outlineWidth}px`);
  };
  const rounds = expected.size + 1;
  for (let round = 0; round < rounds; round++) {
    for (const key of keys) {
      for (let i = 0; i < rounds; i++) {
        const before = (await page.evaluate(probe)).active?.id;
        await page.keyboard.press(key);
        const after = await page.evaluate(probe);
        record(after);
        if (after.active?.id === before) break;
      }
    }
  }
  return { expected, reached, invisibleFocus: [...invisibleFocus] };
}

/** Arrows (the d-pad) reach every control, Tab reaches every control, and focus is always visible. */
async function expectKeyboardReachesEverything(page: Page, arrows: readonly string[] = ['ArrowDown', 'ArrowRight', 'ArrowUp', 'ArrowLeft']): Promise<void> {
  // Focus is somewhere from the start: the screen puts it on its first control.
  const initial = await page.evaluate(probe);
  expect(initial.focusables.length, 'the screen has controls').toBeGreaterThan(0);
  expect(initial.active, 'a control has focus on load').not.toBeNull();

  for (const keys of [arrows, ['Tab'], ['Shift+Tab']]) {
    const result = await walk(page, keys);
    const missed = [...result.expected].filter(([id]) => !result.reached.has(id)).map(([, label]) => label);
    expect(missed, `controls that ${keys.join('/')} never reach`).toEqual([]);
    expect(result.invisibleFocus, `focus rings while pressing ${keys.join('/')}`).toEqual([]);
  }
}

/** Every button and other control is a target of at least 48 × 48 CSS px. */
async function expectLargeTargets(page: Page): Promise<void> {
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

test.describe('settings, keyboard only', () => {
  test.use({ mode: 'settings' });

  test('arrows and Tab reach every control on Home, with a visible focus ring and large targets', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    const home = page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Home' });
    await expect(home).toBeFocused();
    await expectKeyboardReachesEverything(page);
    await expectLargeTargets(page);
  });

  test('Escape leads back to the navigation rail', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    const home = page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Home' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    await expect(home).toBeFocused();
  });
});

test.describe('setup, keyboard only', () => {
  test('arrows and Tab reach every control on each step, with a visible focus ring and large targets', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
    await expectKeyboardReachesEverything(page);
    await expectLargeTargets(page);

    await page.getByRole('button', { name: 'Continue' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'All set' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Finish setup' })).toBeFocused();
    await expectKeyboardReachesEverything(page);
    await expectLargeTargets(page);
  });

  test('Enter alone completes the wizard', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'All set' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Finish setup' })).toBeFocused();
    await page.keyboard.press('Enter');

    await expect(page.locator('[data-mode="settings"]')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Home' })).toBeFocused();
    // Persisted on the data partition: the next boot starts in settings.
    expect(existsSync(join(headsetd.root, 'data', 'headsetd', 'setup.json'))).toBe(true);
  });

  test('Escape goes back a step, and no further than the first', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    const steps = page.getByRole('list', { name: 'Setup progress' }).getByRole('listitem');
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
    await expect(steps.nth(0)).toHaveAttribute('aria-current', 'step');

    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'All set' })).toBeVisible();
    await expect(steps.nth(1)).toHaveAttribute('aria-current', 'step');

    await page.keyboard.press('Escape');
    await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
    await expect(steps.nth(0)).toHaveAttribute('aria-current', 'step');
    await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();

    await page.keyboard.press('Escape');
    await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
    await expect(page.locator('[data-mode="setup"]')).toBeVisible();

    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'All set' })).toBeVisible();
  });
});

test.describe('recovery, keyboard only', () => {
  test.use({ mode: 'recovery' });

  test('Up and Down reach every action, Tab too, with a visible focus ring and large targets', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await expect(page.getByRole('heading', { name: 'Recovery' })).toBeVisible();
    await expect(page.getByRole('menuitem', { name: /Restart the headset/ })).toBeFocused();
    await expectKeyboardReachesEverything(page, ['ArrowDown', 'ArrowUp']);
    await expectLargeTargets(page);
  });

  test('Up, Down and Enter are enough to restart, and the headset leaves recovery', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    const restart = page.getByRole('menuitem', { name: /Restart the headset/ });
    await expect(restart).toBeVisible();
    await expect(page.getByTestId('device-id')).not.toBeEmpty();

    // Walk to the action with Down (then Up) only, whatever has focus at first.
    const actions = await page.getByRole('menuitem').count();
    for (const key of ['ArrowDown', 'ArrowUp']) {
      for (let i = 0; i <= actions && !(await restart.evaluate((el) => el === (globalThis as unknown as BrowserGlobals).document.activeElement)); i++) await page.keyboard.press(key);
    }
    await expect(restart).toBeFocused();
    await page.keyboard.press('Enter');

    // The simulated reboot re-resolves the mode: setup was never completed on this device.
    await expect(page.locator('[data-mode="recovery"]')).toHaveCount(0);
    await expect(page.locator('[data-mode="setup"]')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Welcome to your headset' })).toBeVisible();
    await expect.poll(() => headsetd.log()).toMatch(/boot 2: slot A, mode setup/);
  });
});
