import type { Page } from '@playwright/test';
import { connectApi } from './api.js';
import { expect, openUi, readBuildInfo, waitForLiveHome } from './fixtures.js';
import { focusWithArrows } from './keyboardNavigation.js';
import { installUpdateThroughApi, setNetwork, updateTest } from './updateRepository.js';
import { PANEL_MAIN, screenshotsAtPanelSizes } from './layoutCheck.js';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

updateTest.describe('What the wearer is told around an update', () => {
  updateTest(
    'offline, "Check for updates" says it will check when online, and does once online',
    async ({ page, headsetRoot, launchHeadsetd, updateRepository }) => {
      await updateRepository.trustOn(headsetRoot);
      await page.setViewportSize(PANEL_MAIN);
      const headsetd = await launchHeadsetd({ mode: 'settings', updateUrl: updateRepository.url });
      await setNetwork(headsetRoot, 'offline');
      await openUi(page, headsetd);
      await waitForLiveHome(page);
      await expect(page.getByTestId('network-status')).toHaveAttribute('data-state', 'offline');
      const entry = nav(page).getByRole('button', { name: 'Updates' });
      await focusWithArrows(page, entry);
      await page.keyboard.press('Enter');
      await focusWithArrows(page, page.getByRole('main').getByRole('button', { name: 'Check for updates' }));
      await page.keyboard.press('Enter');

      // Not "up to date": it waits for the network, and says so.
      await expect(page.getByRole('heading', { name: 'Will check when online' })).toBeVisible();
      await expect(page.getByTestId('check-waiting')).toHaveText(
        'The headset is offline. It checks for updates by itself as soon as it is online again.',
      );
      await expect(page.getByText('The system is up to date')).toHaveCount(0);
      await expect(page.getByTestId('last-check')).toHaveText('Not checked yet');
      await screenshotsAtPanelSizes(page, 'updates-offline-check');

      await setNetwork(headsetRoot, 'online');
      await expect(page.getByRole('heading', { name: 'Version 1.1.0 is available' })).toBeVisible({ timeout: 15_000 });
      await expect(page.getByTestId('last-check')).toContainText('Last checked');
    },
  );

  updateTest('after an update, "You are now on System 1.1.0", once', async ({ page, headsetRoot, launchHeadsetd, updateRepository }) => {
    updateTest.setTimeout(90_000);
    const build = await readBuildInfo();
    await updateRepository.trustOn(headsetRoot);
    await page.setViewportSize(PANEL_MAIN);
    // A headset set up (so that its restarts land in settings), running the factory system.
    const headsetd = await launchHeadsetd({ updateUrl: updateRepository.url });
    const api = await connectApi(headsetd);
    await api.call('setup.complete');
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await expect(page.getByTestId('system-version')).toHaveText(`System ${build.version}`);
    await installUpdateThroughApi(api, '1.1.0');
    api.close();

    const news = page.getByTestId('alert-update-installed');
    await expect(news).toBeVisible({ timeout: 15_000 });
    await expect(news).toContainText('You are now on System 1.1.0');
    await expect(news).toContainText(`The update from System ${build.version} is finished and the headset started properly.`);
    // One version everywhere: Home says the same.
    await expect(page.getByTestId('system-version')).toHaveText('System 1.1.0');
    await screenshotsAtPanelSizes(page, 'update-installed');

    // Put away: it does not come back, not even after headsetd starts again.
    await news.getByRole('button', { name: 'Dismiss: You are now on System 1.1.0' }).click();
    await expect(news).toHaveCount(0);
    expect(await headsetd.stop()).toBe(0);
    await openUi(page, await launchHeadsetd({ updateUrl: updateRepository.url }));
    await waitForLiveHome(page);
    await expect(page.getByTestId('system-version')).toHaveText('System 1.1.0');
    await expect(page.getByText('You are now on System 1.1.0')).toHaveCount(0);
  });
});
