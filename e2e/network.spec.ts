import type { Page } from '@playwright/test';
import { expect, openUi, test, waitForLiveHome } from './fixtures.js';
import { setNetwork } from './updateRepository.js';
import { screenshotsAtPanelSizes } from './layoutCheck.js';

test.use({ mode: 'settings' });

/** At each panel size, with the layout check: the network status is in sight there without scrolling. */
async function screenshots(page: Page, name: string): Promise<void> {
  await screenshotsAtPanelSizes(page, name, {
    // Always in sight, whatever the panel's height.
    atEachSize: () => expect(page.getByTestId('network-status')).toBeInViewport(),
  });
}

test.describe('Network status', () => {
  test('the side menu says online, metered or offline, following the simulated network file', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    const status = page.getByTestId('network-status');
    await expect(status).toHaveAttribute('data-state', 'online');
    await expect(status).toHaveText('Network: Online');

    // Joining a hotspot: headsetd reads the file again within a couple of seconds and pushes it.
    await setNetwork(headsetd.root, 'metered');
    await expect(status).toHaveAttribute('data-state', 'metered');
    await expect(status).toContainText('Metered connection');
    await expect(status).toContainText('Big downloads wait');
    await screenshots(page, 'network-metered');

    await setNetwork(headsetd.root, 'offline');
    await expect(status).toHaveAttribute('data-state', 'offline');
    await expect(status).toContainText('Offline');
    await expect(status).toContainText('Updates wait');
    // On every screen: it is the side menu's.
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'About' }).click();
    await expect(status).toHaveAttribute('data-state', 'offline');
    await screenshots(page, 'network-offline');

    await setNetwork(headsetd.root, 'online');
    await expect(status).toHaveAttribute('data-state', 'online');
    await expect.poll(() => headsetd.log()).toMatch(/network offline -> online/);
  });
});
