import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { connectApi } from './api.js';
import { SCREENSHOTS, enterThroughSetup, expect, openUi, readBuildInfo, setRecoveryButton, test, waitForLiveHome } from './fixtures.js';
import { expectKeyboardReachesEverything, expectLargeTargets, focusWithArrows } from './keyboardNavigation.js';
import { UPDATE_NOTES, installUpdateThroughApi, setNetwork, updateTest } from './updateRepository.js';
import { expectLayoutHolds } from './layoutCheck.js';

/**
 * The Updates screen and recovery's rollback, against a real TUF repository made with headsetctl and
 * served over HTTP (e2e/updateRepository.ts), driven with the keyboard as a controller would.
 */

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
  // The same state at the panel's sizes: nothing cut, nothing wider than its box.
  await expectLayoutHolds(page);
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });
const updateCard = (page: Page) => page.getByTestId('update-state');

/** Records what has the focus at each change of the page while the recovery kiosk shows. */
async function watchRecoveryFocus(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as {
      recoveryFocus: string[];
      document: { body: unknown; activeElement: { firstChild: { textContent: string | null } | null } | null; querySelector(s: string): unknown };
      MutationObserver: new (cb: () => void) => { observe(target: unknown, options: object): void };
    };
    g.recoveryFocus = [];
    const record = () => {
      if (!g.document.querySelector('[data-mode="recovery"]')) return;
      const active = g.document.activeElement;
      g.recoveryFocus.push(!active || active === g.document.body ? 'BODY' : (active.firstChild?.textContent ?? '').trim());
    };
    new g.MutationObserver(record).observe(g.document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

/** From anywhere in settings, with arrows and Enter only: the Updates screen. */
async function openUpdatesWithKeys(page: Page): Promise<void> {
  const entry = nav(page).getByRole('button', { name: 'Updates' });
  await focusWithArrows(page, entry);
  await page.keyboard.press('Enter');
  await expect(entry).toHaveAttribute('aria-current', 'page');
  await expect(updateCard(page)).toBeVisible();
}

/** Arrows to the control, then Enter. */
async function press(page: Page, name: string | RegExp, role: 'button' | 'switch' = 'button'): Promise<void> {
  const control = page.getByRole('main').getByRole(role, { name, exact: typeof name === 'string' });
  await focusWithArrows(page, control);
  await page.keyboard.press('Enter');
}

updateTest.describe('Updates, keyboard only, from a TUF repository', () => {
  updateTest(
    'check, download with progress, install, restart into 1.1.0 on slot B; then go back to the old system',
    async ({ page, headsetRoot, launchHeadsetd, updateRepository }) => {
      updateTest.setTimeout(120_000);
      const build = await readBuildInfo();
      await updateRepository.trustOn(headsetRoot);
      // A new headset: the first-run wizard, finished with Enter (a restart later must land in settings).
      const headsetd = await launchHeadsetd({ updateUrl: updateRepository.url });
      await openUi(page, headsetd);
      await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
      await enterThroughSetup(page);
      await waitForLiveHome(page);

      await openUpdatesWithKeys(page);
      await expect(page.getByTestId('current-version')).toHaveText(build.version);
      await expect(page.getByTestId('current-slot')).toHaveText('running from slot A');
      await expect(page.getByTestId('last-check')).toHaveText('Not checked yet');
      await expect(page.getByTestId('history-empty')).toBeVisible();

      // Check: the offer, as the repository signed it.
      await press(page, 'Check for updates');
      await expect(updateCard(page)).toHaveAttribute('data-status', 'available');
      await expect(page.getByRole('heading', { name: 'Version 1.1.0 is available' })).toBeVisible();
      await expect(page.getByTestId('offer-size')).toHaveText(`${(updateRepository.bundleBytes / 1e6).toFixed(1)} MB`);
      await expect(page.getByTestId('offer-kind')).toContainText('Full');
      for (const line of UPDATE_NOTES.split('\n')) await expect(page.getByTestId('offer-notes')).toContainText(line);
      await expect(page.getByTestId('last-check')).toContainText('Last checked');
      await expect(nav(page).getByTestId('updates-badge')).toBeVisible();
      // The next step has the focus: Enter goes on.
      await expect(page.getByRole('button', { name: 'Download', exact: true })).toBeFocused();
      await screenshot(page, 'updates-available');

      // A 2 MB/s limit makes the 6 MB download last long enough to watch it.
      await press(page, '2 MB/s');
      await expect(page.getByRole('button', { name: '2 MB/s' })).toHaveAttribute('aria-pressed', 'true');
      await expect(page.getByRole('button', { name: 'No limit' })).toHaveAttribute('aria-pressed', 'false');
      await press(page, 'Download');
      await expect(updateCard(page)).toHaveAttribute('data-status', 'downloading');
      await expect(page.getByRole('button', { name: 'Pause' })).toBeFocused();
      const progress = page.getByRole('progressbar', { name: 'Downloaded' });
      await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow')), { message: 'bytes arrive' }).toBeGreaterThan(0);
      await expect(progress).toHaveAttribute('aria-valuetext', /^\d+\.\d MB of \d+\.\d MB · \d+ %$/);
      await expect(page.getByTestId('download-line')).toContainText(/\/s · about \d+ s left/);

      // Downloaded and verified: Install has the focus.
      await expect(page.getByRole('heading', { name: '1.1.0 is downloaded and verified' })).toBeVisible({ timeout: 20_000 });
      await expect(page.getByRole('button', { name: 'Install' })).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.getByRole('heading', { name: '1.1.0 is installed' })).toBeVisible({ timeout: 20_000 });
      await expect(updateCard(page)).toContainText(`goes back to ${build.version} by itself`);
      // The installed trial is not something to go back to.
      await expect(page.getByTestId('rollback')).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Restart now' })).toBeFocused();
      await page.keyboard.press('Enter');

      // The simulated restart: trial boot of slot B, health checks, commit.
      await expect(page.getByTestId('current-version')).toHaveText('1.1.0', { timeout: 15_000 });
      await expect(page.getByTestId('current-slot')).toHaveText('running from slot B');
      await expect(page.getByTestId('slot-B')).toContainText('Running');
      await expect(page.getByTestId('slot-B-version')).toHaveText('1.1.0');
      await expect(updateCard(page)).toHaveAttribute('data-status', 'idle');
      const newest = page.getByTestId('history-entry').first();
      await expect(newest).toHaveAttribute('data-outcome', 'committed');
      await expect(newest).toContainText('committed');
      await expect(newest).toContainText(`${build.version} → 1.1.0`);
      await expect.poll(() => headsetd.log()).toMatch(/boot 2: slot B, mode settings, update committed/);

      // Home says the same, and Escape/arrows/Enter lead back.
      await page.keyboard.press('Escape');
      await expect(nav(page).getByRole('button', { name: 'Home' })).toHaveAttribute('aria-current', 'page');
      await expect(page.getByTestId('system-version')).toHaveText('System 1.1.0');
      await openUpdatesWithKeys(page);

      // Going back asks first; Escape cancels and leaves focus where it was.
      const goBack = page.getByRole('button', { name: `Go back to ${build.version}` });
      await press(page, `Go back to ${build.version}`);
      await expect(page.getByRole('group', { name: `Go back to ${build.version}?` })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Cancel' })).toBeFocused();
      // Both buttons inside the question's box, at the panel's sizes too.
      await screenshot(page, 'updates-rollback-confirm');
      await page.keyboard.press('Escape');
      await expect(page.getByRole('group', { name: `Go back to ${build.version}?` })).toHaveCount(0);
      await expect(nav(page).getByRole('button', { name: 'Updates' })).toHaveAttribute('aria-current', 'page');
      await expect(goBack).toBeFocused();
      await expect(page.getByTestId('current-version')).toHaveText('1.1.0');

      await page.keyboard.press('Enter');
      await press(page, 'Yes, go back and restart');
      await expect(page.getByTestId('current-version')).toHaveText(build.version, { timeout: 15_000 });
      await expect(page.getByTestId('current-slot')).toHaveText('running from slot A');
      await expect(page.getByTestId('slot-A')).toContainText('Running');
      await expect(page.getByTestId('slot-A-version')).toHaveText(build.version);
      await expect(page.getByTestId('history-entry')).toHaveCount(2);
      await expect(newest).toHaveAttribute('data-outcome', 'manual-rollback');
      await expect(newest).toContainText(`1.1.0 → ${build.version}`);
      await expect(page.getByTestId('history-entry').nth(1)).toHaveAttribute('data-outcome', 'committed');
      // 1.1.0 stays in slot B: going forward again is offered the same way.
      await expect(page.getByRole('button', { name: 'Go back to 1.1.0' })).toBeVisible();
      await page.getByTestId('history').scrollIntoViewIfNeeded();
      await screenshot(page, 'updates-history');
    },
  );

  updateTest(
    'the download shows its progress, pauses, resumes and waits for a suitable network',
    async ({ page, headsetRoot, launchHeadsetd, updateRepository }) => {
      updateTest.setTimeout(90_000);
      const requestsBefore = updateRepository.requests().length;
      await updateRepository.trustOn(headsetRoot);
      await openUi(page, await launchHeadsetd({ mode: 'settings', updateUrl: updateRepository.url }));
      await waitForLiveHome(page);
      await openUpdatesWithKeys(page);

      await press(page, '512 KB/s');
      await expect(page.getByRole('button', { name: '512 KB/s' })).toHaveAttribute('aria-pressed', 'true');
      await press(page, 'Check for updates');
      await expect(page.getByRole('button', { name: 'Download', exact: true })).toBeFocused();
      await page.keyboard.press('Enter');
      const progress = page.getByRole('progressbar', { name: 'Downloaded' });
      await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 10_000 }).toBeGreaterThan(1_000_000);
      await expect(page.getByTestId('download-line')).toContainText(/KB\/s · about \d+ s left/);
      const line = await progress.getAttribute('aria-valuetext');
      expect(line).toMatch(/^\d+\.\d MB of 6\.0 MB · \d+ %$/);
      await screenshot(page, 'updates-downloading');
      // On the smaller panels too, the numbers and the bar stay inside the card, the percentage whole.
      for (const size of [
        { width: 1280, height: 720 },
        { width: 1024, height: 600 },
      ]) {
        await page.setViewportSize(size);
        const card = updateCard(page);
        expect(await card.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
        const cardBox = (await card.boundingBox())!;
        for (const part of [card.locator('.progress-value'), card.locator('.progress-detail'), progress]) {
          const box = (await part.boundingBox())!;
          expect(box.x + box.width, 'inside the update card').toBeLessThanOrEqual(cardBox.x + cardBox.width);
        }
        await expect(card.locator('.progress-value')).toHaveText(/^\d+\s%$/);
        await screenshot(page, `updates-downloading-${size.width}x${size.height}`);
      }
      await page.setViewportSize({ width: 1600, height: 900 });

      // Pause: the bytes stop, Resume takes over.
      await expect(page.getByRole('button', { name: 'Pause' })).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('download-line')).toContainText('Paused');
      await expect(page.getByRole('button', { name: 'Resume' })).toBeFocused();
      const pausedAt = Number(await progress.getAttribute('aria-valuenow'));
      expect(pausedAt).toBeLessThan(updateRepository.bundleBytes);

      // Offline, then a metered hotspot with metered downloads off: it says what it waits for.
      await setNetwork(headsetRoot, 'offline');
      // The network capability reads the simulated cable every 2 s: Resume once the headset knows.
      await expect(page.getByTestId('network-status')).toContainText('Offline');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('download-line')).toHaveText(/^Waiting for network/);
      await setNetwork(headsetRoot, 'metered');
      await expect(page.getByTestId('download-line')).toHaveText(/^Waiting for an unmetered network/, { timeout: 10_000 });
      const metered = page.getByRole('switch', { name: /Download on metered connections/ });
      await expect(metered).toHaveAttribute('aria-checked', 'false');
      await press(page, /Download on metered connections/, 'switch');
      await expect(metered).toHaveAttribute('aria-checked', 'true');
      // It resumes where it stopped (HTTP Range), not from zero.
      await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 10_000 }).toBeGreaterThan(pausedAt);

      await press(page, 'No limit');
      await expect(page.getByRole('button', { name: 'No limit' })).toHaveAttribute('aria-pressed', 'true');
      await expect(page.getByRole('heading', { name: '1.1.0 is downloaded and verified' })).toBeVisible({ timeout: 20_000 });
      // Each resume asked the server for the rest only (HTTP Range), never the whole bundle again.
      const bundleRequests = updateRepository
        .requests()
        .slice(requestsBefore)
        .filter((r) => r.path.endsWith('.hcb'));
      expect(bundleRequests.length, 'the bundle was fetched in parts').toBeGreaterThanOrEqual(2);
      expect(bundleRequests[0]!.range ?? 'bytes=0-').toMatch(/^bytes=0-/);
      for (const later of bundleRequests.slice(1)) expect(Number(/^bytes=(\d+)-/.exec(later.range ?? '')?.[1] ?? 0)).toBeGreaterThan(0);
    },
  );

  test('a headset without an update server says so plainly, with no button that cannot work', async ({ page, launchHeadsetd }) => {
    await openUi(page, await launchHeadsetd({ mode: 'settings' }));
    await waitForLiveHome(page);
    await openUpdatesWithKeys(page);
    await expect(updateCard(page)).toHaveAttribute('data-status', 'unconfigured');
    await expect(page.getByRole('heading', { name: 'This headset has no update server configured' })).toBeVisible();
    await expect(page.getByRole('main').getByRole('button')).toHaveCount(0);
    await expect(page.getByRole('button', { name: /Check/ })).toHaveCount(0);
    await expect(page.getByText('Download settings')).toHaveCount(0);
    await expect(page.getByTestId('current-slot')).toHaveText('running from slot A');
    await expect(page.getByTestId('history-empty')).toBeVisible();
    await expect(nav(page).getByTestId('updates-badge')).toHaveCount(0);
  });

  updateTest(
    'a failed check says so in plain words, its code only under Details, and Check again works once the server answers',
    async ({ page, headsetRoot, launchHeadsetd, updateRepository }) => {
      await updateRepository.trustOn(headsetRoot);
      // Nothing listens on the discard port: the repository cannot be reached.
      const unreachable = await launchHeadsetd({ mode: 'settings', updateUrl: 'http://127.0.0.1:9' });
      await openUi(page, unreachable);
      await waitForLiveHome(page);
      await openUpdatesWithKeys(page);
      await press(page, 'Check for updates');
      await expect(updateCard(page)).toHaveAttribute('data-status', 'failed');
      // Not "the update failed", nothing like a security rejection, no code in the words.
      await expect(page.getByRole('heading', { name: 'The update server could not be reached' })).toBeVisible();
      const failure = page.getByTestId('update-failure');
      await expect(failure).toContainText('The headset tries again later by itself.');
      expect(await failure.innerText()).not.toMatch(/UPDATE_|failed|signed|refused|metadata/i);
      // Said once, not once for the state and again for the call.
      await expect(page.getByRole('alert')).toHaveCount(1);
      await expect(page.getByRole('button', { name: 'Check again' })).toBeFocused();
      // Nothing says a check succeeded; the side menu's badge has a word, not a bare dot.
      await expect(page.getByTestId('last-check')).toHaveText('No successful check yet');
      await expect(nav(page).getByTestId('updates-badge')).toHaveText('Problem');
      for (const size of [
        { width: 1280, height: 720 },
        { width: 1024, height: 600 },
      ]) {
        await page.setViewportSize(size);
        await screenshot(page, `updates-check-failed-${size.width}x${size.height}`);
      }
      // The code, for support, under Details.
      await failure.getByText('Details for support').click();
      await expect(failure).toContainText('Code UPDATE_CHECK_FAILED');
      expect(await unreachable.stop()).toBe(0);

      // The right address this time (remembered from now on): the same button finds the update.
      await openUi(page, await launchHeadsetd({ mode: 'settings', updateUrl: updateRepository.url }));
      await waitForLiveHome(page);
      await openUpdatesWithKeys(page);
      await expect(updateCard(page)).toHaveAttribute('data-status', 'idle');
      await press(page, 'Check for updates');
      await expect(page.getByRole('heading', { name: 'Version 1.1.0 is available' })).toBeVisible();
    },
  );

  updateTest(
    'arrows and Tab reach every control of the Updates screen in each state, with visible focus and large targets',
    async ({ page, headsetRoot, launchHeadsetd, updateRepository }) => {
      updateTest.setTimeout(180_000);
      await updateRepository.trustOn(headsetRoot);
      const headsetd = await launchHeadsetd({ updateUrl: updateRepository.url });
      const api = await connectApi(headsetd);
      await api.call('setup.complete');
      await openUi(page, headsetd);
      await waitForLiveHome(page);
      await openUpdatesWithKeys(page);
      const everything = async (status: string) => {
        await expect(updateCard(page)).toHaveAttribute('data-status', status);
        await expectKeyboardReachesEverything(page);
        await expectLargeTargets(page);
      };

      // Idle: Check, the speed limits, the metered switch.
      await everything('idle');
      // An offer: Download and Check again.
      await api.call('update.check');
      await everything('available');
      // A paused download: Resume.
      await api.call('update.settings', { bandwidthLimitBytesPerSecond: 64 * 1024 });
      await api.call('update.download');
      await expect
        .poll(async () => Number(await page.getByRole('progressbar', { name: 'Downloaded' }).getAttribute('aria-valuenow')))
        .toBeGreaterThan(0);
      await api.call('update.pause');
      await expect(page.getByRole('button', { name: 'Resume' })).toBeVisible();
      await everything('downloading');
      await api.call('update.settings', { bandwidthLimitBytesPerSecond: null });
      await api.call('update.resume');
      await expect(updateCard(page)).toHaveAttribute('data-status', 'downloaded', { timeout: 20_000 });
      await everything('downloaded');
      await api.call('update.install');
      await everything('ready-to-reboot');
      await api.call('update.restart');
      await expect(page.getByTestId('current-version')).toHaveText('1.1.0', { timeout: 15_000 });
      // Committed: going back is offered, and its question.
      await expect(page.getByRole('button', { name: /^Go back to / })).toBeVisible();
      await everything('idle');
      await press(page, /^Go back to /);
      await expect(page.getByRole('button', { name: 'Cancel' })).toBeFocused();
      await everything('idle');
      api.close();
    },
  );
});

updateTest.describe('recovery', () => {
  updateTest(
    'offers going back to the other slot, reachable with Up, Down and Enter, after a confirmation',
    async ({ page, headsetRoot, launchHeadsetd, updateRepository }) => {
      updateTest.setTimeout(90_000);
      const build = await readBuildInfo();
      await updateRepository.trustOn(headsetRoot);
      const first = await launchHeadsetd({ updateUrl: updateRepository.url });
      const api = await connectApi(first);
      await api.call('setup.complete');
      await installUpdateThroughApi(api, '1.1.0');
      api.close();
      expect(await first.stop()).toBe(0);

      // The button held at power-on: recovery, running 1.1.0 from slot B.
      await setRecoveryButton(headsetRoot, true);
      await openUi(page, await launchHeadsetd());
      await expect(page.locator('[data-mode="recovery"]')).toBeVisible();
      await expect(page.getByTestId('recovery-system')).toHaveText('System 1.1.0');
      const actions = page.getByRole('menu', { name: 'Recovery actions' }).getByRole('menuitem');
      await expect(actions).toHaveText([
        /^Restart the headset/,
        new RegExp(`^Go back to ${build.version.replace(/\./g, '\\.')}`),
        /^Reinstall the system/,
        /^Restore from a backup/,
        /^Connect to a network/,
        /^Export logs to USB/,
        /^Erase and reset/,
        /^Switch off/,
      ]);
      await expect(actions.first()).toBeFocused();
      await expectKeyboardReachesEverything(page, ['ArrowDown', 'ArrowUp']);
      await expectLargeTargets(page);

      const goBack = actions.nth(1);
      await focusWithArrows(page, goBack, ['ArrowDown', 'ArrowUp']);
      await screenshot(page, 'recovery-rollback');
      await page.keyboard.press('Enter');
      // The question: Cancel has the focus, Escape cancels too.
      await expect(page.getByText(`Go back to ${build.version}? The headset restarts into ${build.version} from slot A`)).toBeVisible();
      await expect(actions).toHaveText([/^Yes, go back and restart/, /^Cancel/]);
      await expect(actions.nth(1)).toBeFocused();
      await expectKeyboardReachesEverything(page, ['ArrowDown', 'ArrowUp']);
      await page.keyboard.press('Escape');
      await expect(page.locator('[data-mode="recovery"]')).toBeVisible();
      await expect(goBack).toHaveText(new RegExp(`^Go back to ${build.version.replace(/\./g, '\\.')}`));
      await expect(goBack).toBeFocused();

      // Up, Down and Enter only: ask, confirm. The button released, the restart leaves recovery.
      await page.keyboard.press('Enter');
      const yes = page.getByRole('menuitem', { name: /^Yes, go back and restart/ });
      await focusWithArrows(page, yes, ['ArrowUp', 'ArrowDown']);
      await setRecoveryButton(headsetRoot, false);
      await watchRecoveryFocus(page);
      await page.keyboard.press('Enter');
      await expect(page.locator('[data-mode="settings"]')).toBeVisible({ timeout: 15_000 });
      // Until the kiosk went away with the restart, an action had the focus, never the page.
      const focused = await page.evaluate(() => (globalThis as unknown as { recoveryFocus: string[] }).recoveryFocus);
      expect(focused.length).toBeGreaterThan(0);
      expect(focused).not.toContain('BODY');
      await waitForLiveHome(page);
      await expect(page.getByTestId('system-version')).toHaveText(`System ${build.version}`);
      await openUpdatesWithKeys(page);
      await expect(page.getByTestId('history-entry').first()).toHaveAttribute('data-outcome', 'manual-rollback');
    },
  );
});
