import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';
import type { ApiClient } from '../src/api/client.js';
import { connectApi } from './api.js';
import { SCREENSHOTS, expect, openUi, setRecoveryButton, test, waitForLiveHome } from './fixtures.js';
import { expectKeyboardReachesEverything, expectLargeTargets, focusWithArrows } from './keyboardNavigation.js';
import { createUpdateRepository, installUpdateThroughApi, type UpdateRepository } from './updateRepository.js';
import { expectLayoutHolds } from './layoutCheck.js';

/**
 * "Go back further": three updates from a real TUF repository (1.1.0, 1.2.0, 1.3.0), so 1.1.0 is
 * neither running nor in the other slot, only kept; then back to it through the kept-versions list,
 * keyboard only, in Settings and in the recovery kiosk. A version the vendor withdrew is refused
 * in plain words.
 */

// Each test publishes its own versions: a repository of its own, not the shared one.
const keptTest = test.extend<{ repository: UpdateRepository }>({
  // eslint-disable-next-line no-empty-pattern
  repository: async ({}, use) => {
    const repository = await createUpdateRepository({ version: '1.1.0', imageBytes: 16_000_000, notes: 'First update.' });
    await use(repository);
    await repository.close();
  },
});

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
  // The same state at the panel's sizes: nothing cut, nothing wider than its box.
  await expectLayoutHolds(page);
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

async function openUpdatesWithKeys(page: Page): Promise<void> {
  const entry = nav(page).getByRole('button', { name: 'Updates' });
  await focusWithArrows(page, entry);
  await page.keyboard.press('Enter');
  await expect(entry).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('update-state')).toBeVisible();
}

/** 1.1.0 (slot B), 1.2.0 (slot A), 1.3.0 (slot B), each committed: 1.2.0 and 1.1.0 are kept. */
async function threeUpdates(api: ApiClient, repository: UpdateRepository): Promise<void> {
  await installUpdateThroughApi(api, '1.1.0');
  await repository.addVersion('1.2.0', 1_000_000);
  await installUpdateThroughApi(api, '1.2.0');
  await committed(api, '1.2.0');
  await repository.addVersion('1.3.0', 1_000_000);
  await installUpdateThroughApi(api, '1.3.0');
  await committed(api, '1.3.0');
  const status = await api.call('update.status');
  expect(status.current).toEqual({ slot: 'B', version: '1.3.0' });
  expect(status.rollbackTo).toEqual({ slot: 'A', version: '1.2.0' });
  expect(status.keptVersions).toEqual(['1.2.0', '1.1.0']);
}

/** The boot is over once its trial is committed and recorded (the API answers during a simulated boot). */
async function committed(api: ApiClient, version: string): Promise<void> {
  await expect.poll(async () => (await api.call('update.history'))[0], { timeout: 20_000 }).toMatchObject({ outcome: 'committed', version });
}

interface Watched {
  phases: string[];
  /** What had the focus at each change of the page while the reinstall progress showed. */
  focused: string[];
  /** The menu's actions (their first line) at each change while the progress showed (recovery). */
  menus: string[];
}

/** Records every phase the reinstall progress shows, however briefly, and where the focus was meanwhile. */
async function watchPhases(page: Page): Promise<void> {
  await page.evaluate(() => {
    interface El {
      tagName: string;
      firstChild: { textContent: string | null } | null;
      getAttribute(n: string): string | null;
    }
    const g = globalThis as unknown as {
      watched: Watched;
      document: { body: unknown; activeElement: El | null; querySelectorAll(s: string): ArrayLike<El> };
      MutationObserver: new (cb: () => void) => { observe(target: unknown, options: object): void };
    };
    g.watched = { phases: [], focused: [], menus: [] };
    const record = () => {
      const shown = Array.from(g.document.querySelectorAll('[data-testid="reinstall-progress"]'));
      for (const el of shown) {
        const phase = el.getAttribute('data-phase') ?? '';
        if (g.watched.phases[g.watched.phases.length - 1] !== phase) g.watched.phases.push(phase);
      }
      if (shown.length === 0) return;
      const active = g.document.activeElement;
      g.watched.focused.push(
        !active || active === g.document.body
          ? 'BODY'
          : (active.getAttribute('data-testid') ?? `${active.tagName} ${active.getAttribute('aria-label') ?? active.firstChild?.textContent ?? ''}`),
      );
      g.watched.menus.push(
        Array.from(g.document.querySelectorAll('[role="menuitem"]'))
          .map((item) => item.firstChild?.textContent?.trim() ?? '')
          .join(' | '),
      );
    };
    new g.MutationObserver(record).observe(g.document.body, { subtree: true, childList: true, attributes: true });
  });
}
const watched = (page: Page) => page.evaluate(() => (globalThis as unknown as { watched: Watched }).watched);
/**
 * A shot with `scope` in view while the reinstall's progress shows; none (and no stale file) when
 * the reinstall was over first: a small test bundle reinstalls in about a second. The progress
 * shows once, from the confirmation to the restart, so seen before and after means seen in the shot.
 */
async function screenshotWhileVisible(page: Page, scope: Locator, name: string): Promise<void> {
  const path = join(SCREENSHOTS, `${name}.png`);
  await rm(path, { force: true });
  const progress = page.getByTestId('reinstall-progress');
  await progress.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
  if (!(await progress.isVisible())) return;
  await scope.scrollIntoViewIfNeeded().catch(() => undefined);
  // The picture first: the layout check resizes the page, and a fast reinstall may be over by then.
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  if (!(await progress.isVisible())) {
    await rm(path, { force: true });
    return;
  }
  await expectLayoutHolds(page);
}
const phases = async (page: Page) => (await watched(page)).phases;

/** From the confirmation to the restart the progress itself has the focus: never the page, never a control that went away. */
async function expectProgressFocused(page: Page): Promise<void> {
  const { focused } = await watched(page);
  expect(focused.length, 'the page changed while the progress showed').toBeGreaterThan(0);
  expect([...new Set(focused)]).toEqual(['reinstall-progress']);
}

keptTest(
  'Settings: back to a kept 1.1.0 through "Go back further", keyboard only; a withdrawn version is refused',
  async ({ page, headsetRoot, launchHeadsetd, repository }) => {
    keptTest.setTimeout(150_000);
    await repository.trustOn(headsetRoot);
    const headsetd = await launchHeadsetd({ updateUrl: repository.url });
    const api = await connectApi(headsetd);
    await api.call('setup.complete');
    await threeUpdates(api, repository);

    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await openUpdatesWithKeys(page);
    await expect(page.getByTestId('current-version')).toHaveText('1.3.0');
    // The other slot's 1.2.0 is the plain switch; only 1.1.0 needs a reinstall.
    const further = page.getByRole('region', { name: 'Go back further' });
    await expect(further.getByTestId('kept-version')).toHaveCount(1);
    await expect(further).toContainText('reinstalls the kept copy into slot A: it takes a few minutes, then the headset restarts into it');
    const goBack = further.getByRole('button', { name: 'Go back to 1.1.0', exact: true });
    await expect(page.getByRole('button', { name: 'Go back to 1.2.0', exact: true })).toBeVisible();
    await expectKeyboardReachesEverything(page);
    await expectLargeTargets(page);
    await further.scrollIntoViewIfNeeded();
    await screenshot(page, 'updates-kept-versions');
    // The headset's panel sizes: still 48 px targets, nothing cut off (shots of the top and of the list).
    for (const viewport of [
      { width: 1280, height: 720 },
      { width: 1920, height: 1080 },
    ]) {
      await page.setViewportSize(viewport);
      await expectLargeTargets(page);
      await screenshot(page, `updates-kept-${viewport.width}x${viewport.height}-top`);
      await further.scrollIntoViewIfNeeded();
      await screenshot(page, `updates-kept-${viewport.width}x${viewport.height}`);
    }
    // The rest on the headset's smaller panel (the confirmation, the reinstall, the refusal).
    await page.setViewportSize({ width: 1280, height: 720 });

    // Ask: the consequences, Cancel has the focus; Escape cancels and gives the focus back.
    await focusWithArrows(page, goBack);
    await page.keyboard.press('Enter');
    const question = page.getByRole('group', { name: 'Reinstall 1.1.0?' });
    await expect(question).toContainText('checks with the update server that 1.1.0 is still allowed, reinstalls it into slot A');
    await expect(question).toContainText('It replaces 1.2.0 in slot A; 1.3.0 stays in slot B');
    await expect(question.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await expectKeyboardReachesEverything(page);
    await expectLargeTargets(page);
    await screenshot(page, 'updates-kept-confirm');
    await page.keyboard.press('Escape');
    await expect(question).toHaveCount(0);
    await expect(goBack).toBeFocused();
    await expect(nav(page).getByRole('button', { name: 'Updates' })).toHaveAttribute('aria-current', 'page');

    // Confirm with arrows and Enter: progress while it reinstalls, then the restart into 1.1.0.
    await page.keyboard.press('Enter');
    await focusWithArrows(page, question.getByRole('button', { name: 'Yes, reinstall 1.1.0 and restart' }));
    await watchPhases(page);
    await page.keyboard.press('Enter');
    await screenshotWhileVisible(page, further, 'updates-kept-reinstalling');
    await committed(api, '1.1.0');
    // Shown from the confirmation to the restart (read as it happened: a fast reinstall is brief).
    expect(await phases(page)).toContain('restarting');
    expect((await phases(page))[0]).toMatch(/^(checking|installing)$/);
    await expect(page.getByTestId('current-version')).toHaveText('1.1.0');
    await expect(page.getByTestId('current-slot')).toHaveText('running from slot A');
    await expect(page.getByTestId('slot-A-version')).toHaveText('1.1.0');
    await expect(page.getByTestId('history-entry').first()).toHaveAttribute('data-outcome', 'committed');
    await expect(page.getByTestId('history-entry').nth(1)).toHaveAttribute('data-outcome', 'manual-rollback');
    await expect(page.getByTestId('history-entry').nth(1)).toContainText('1.3.0 → 1.1.0');
    await expect(page.getByTestId('reinstall-progress')).toHaveCount(0);
    await expectProgressFocused(page);

    // Now 1.3.0 is in the other slot and 1.2.0 is only kept. The vendor withdraws 1.2.0: refused, said plainly.
    await repository.removeVersion('1.2.0');
    const goBackTo120 = further.getByRole('button', { name: 'Go back to 1.2.0', exact: true });
    await focusWithArrows(page, goBackTo120);
    await page.keyboard.press('Enter');
    await focusWithArrows(page, page.getByRole('button', { name: 'Yes, reinstall 1.2.0 and restart' }));
    await page.keyboard.press('Enter');
    const refused = page.getByTestId('kept-error');
    await expect(refused).toContainText(
      'The update server no longer offers 1.2.0 (the maker withdrew it), so the headset will not go back to it. Nothing was changed.',
    );
    // The reason once, in plain words; the code once, for support, under Details; not the service's own sentence as well.
    expect(await refused.innerText()).not.toContain('UPDATE_ROLLBACK_NOT_ALLOWED');
    await expect(refused.getByText('Details for support')).toBeVisible();
    expect((await refused.textContent())!.split('UPDATE_ROLLBACK_NOT_ALLOWED')).toHaveLength(2);
    await expect(refused).not.toContainText('repository');
    await expect(refused).toHaveAttribute('role', 'alert');
    await expect(goBackTo120).toBeFocused();
    await expect(page.getByTestId('current-version')).toHaveText('1.1.0');
    expect((await api.call('update.status')).current).toEqual({ slot: 'A', version: '1.1.0' });
    await further.scrollIntoViewIfNeeded();
    await screenshot(page, 'updates-kept-refused');
    api.close();
  },
);

keptTest(
  'Recovery: back to a kept 1.1.0 with Up, Down and Enter, after a confirmation',
  async ({ page, headsetRoot, launchHeadsetd, repository }) => {
    keptTest.setTimeout(150_000);
    await repository.trustOn(headsetRoot);
    const first = await launchHeadsetd({ updateUrl: repository.url });
    const api = await connectApi(first);
    await api.call('setup.complete');
    await threeUpdates(api, repository);
    api.close();
    expect(await first.stop()).toBe(0);

    // The button held at power-on: recovery, running 1.3.0 from slot B; on the headset's smaller panel.
    await page.setViewportSize({ width: 1280, height: 720 });
    await setRecoveryButton(headsetRoot, true);
    const headsetd = await launchHeadsetd();
    await openUi(page, headsetd);
    await expect(page.locator('[data-mode="recovery"]')).toBeVisible();
    await expect(page.getByTestId('recovery-system')).toHaveText('System 1.3.0');
    const menu = page.getByRole('menu', { name: 'Recovery actions' });
    const goBack = menu.getByRole('menuitem', { name: /^Go back to 1\.1\.0/ });
    await expect(goBack).toContainText('Reinstall the kept copy of 1.1.0: a few minutes, then the headset restarts');
    await expect(menu.getByRole('menuitem', { name: /^Go back to 1\.2\.0/ })).toContainText('Start the system in slot A');
    await expectKeyboardReachesEverything(page, ['ArrowDown', 'ArrowUp']);
    await expectLargeTargets(page);
    await focusWithArrows(page, goBack, ['ArrowDown', 'ArrowUp']);
    await screenshot(page, 'recovery-kept-versions');

    await page.keyboard.press('Enter');
    await expect(page.getByText('Reinstall 1.1.0? The headset checks with the update server that 1.1.0 is still allowed')).toContainText(
      'It replaces 1.2.0 in slot A; 1.3.0 stays in slot B.',
    );
    const actions = menu.getByRole('menuitem');
    await expect(actions).toHaveText([/^Yes, reinstall 1\.1\.0 and restart/, /^Cancel/]);
    await expect(actions.nth(1)).toBeFocused();
    await expectLargeTargets(page);
    await screenshot(page, 'recovery-kept-confirm');
    await page.keyboard.press('Escape');
    await expect(goBack).toBeFocused();

    await page.keyboard.press('Enter');
    await focusWithArrows(page, menu.getByRole('menuitem', { name: /^Yes, reinstall 1\.1\.0/ }), ['ArrowUp', 'ArrowDown']);
    await setRecoveryButton(headsetRoot, false);
    await watchPhases(page);
    await page.keyboard.press('Enter');
    await screenshotWhileVisible(page, page.locator('main.recovery'), 'recovery-kept-reinstalling');
    const after = await connectApi(headsetd);
    await committed(after, '1.1.0');
    expect(await phases(page)).toContain('restarting');
    // Meanwhile: the focus on the progress, and only what cannot harm the reinstall offered.
    await expectProgressFocused(page);
    expect([...new Set((await watched(page)).menus)]).toEqual(['Export logs to USB']);
    expect((await after.call('update.status')).current).toEqual({ slot: 'A', version: '1.1.0' });
    after.close();
    await expect(page.locator('[data-mode="settings"]')).toBeVisible({ timeout: 15_000 });
    await waitForLiveHome(page);
    await expect(page.getByTestId('system-version')).toHaveText('System 1.1.0');
  },
);
