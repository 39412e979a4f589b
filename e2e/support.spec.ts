import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { relayRigUnavailable, TestRelay } from '../test-support/support/relayRig.js';
import { expect, openUi, test } from './fixtures.js';
import { expectLargeTargets, focusWithArrows } from './keyboardNavigation.js';
import { PANEL_MAIN, screenshotsAtPanelSizes } from './layoutCheck.js';

const unavailable = relayRigUnavailable();
const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

test.describe('Remote support', () => {
  // A real relay (sshd on 127.0.0.1) and the view's sshd, which chroots: root only.
  test.skip(!!unavailable, `needs a real sshd: ${unavailable}`);

  test('Start from Settings; the banner says who, since when and the time left on every screen; Stop ends it, with the keys', async ({
    page,
    headsetRoot,
    launchHeadsetd,
  }) => {
    test.setTimeout(90_000);
    const relay = new TestRelay();
    await relay.start();
    try {
      const stateDir = join(headsetRoot, 'data', 'headsetd');
      await mkdir(stateDir, { recursive: true });
      await writeFile(join(stateDir, 'support-relay.json'), JSON.stringify(relay.config({ name: 'Acme support' })));
      const headsetd = await launchHeadsetd({ mode: 'settings' });
      await page.setViewportSize(PANEL_MAIN);
      await openUi(page, headsetd);

      await nav(page).getByRole('button', { name: 'Remote support' }).click();
      await expect(page.getByRole('heading', { name: 'Remote support' })).toBeVisible();
      await expect(page.getByRole('button', { name: '1 hour' })).toHaveAttribute('aria-pressed', 'true');
      await screenshotsAtPanelSizes(page, 'support-start');
      await page.getByRole('button', { name: 'Start support' }).click();

      const banner = page.getByTestId('support-banner');
      await expect(banner).toContainText("Acme support can read this headset's logs and settings.");
      await expect(banner).toContainText(/Since \d\d:\d\d/);
      await expect(page.getByTestId('support-time-left')).toHaveText(/^(1 hour|59 minutes) left$/);
      await expect(page.getByRole('main')).toContainText('Support is connected');
      await expectLargeTargets(page);
      await screenshotsAtPanelSizes(page, 'support-active');

      // On every screen: Home too.
      await nav(page).getByRole('button', { name: 'Home' }).click();
      await expect(banner).toBeVisible();
      await screenshotsAtPanelSizes(page, 'support-banner-home');

      // Stop with the arrows and Enter, as with a controller; it is large enough to hit.
      const stop = banner.getByRole('button', { name: 'Stop support' });
      const box = await stop.boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(48);
      expect(box!.width).toBeGreaterThanOrEqual(48);
      await focusWithArrows(page, stop);
      await page.keyboard.press('Enter');
      await expect(banner).toHaveCount(0);

      await nav(page).getByRole('button', { name: 'Remote support' }).click();
      await expect(page.getByTestId('support-last-ended')).toContainText('You stopped it.');
      // The relay no longer lets the session key in.
      expect(await import('node:fs/promises').then((fs) => fs.readFile(relay.authorizedKeys, 'utf8'))).not.toContain('headset-support-session');
    } finally {
      await relay.close();
    }
  });
  test('the banner says Connecting while the relay has not answered, Connection lost while it is away, and is back when it returns', async ({
    page,
    headsetRoot,
    launchHeadsetd,
  }) => {
    test.setTimeout(150_000);
    const relay = new TestRelay();
    // A relay that accepts and never speaks: ssh waits for its greeting (ConnectTimeout, 10 s), the session stays connecting.
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const stateDir = join(headsetRoot, 'data', 'headsetd');
      await mkdir(stateDir, { recursive: true });
      await writeFile(join(stateDir, 'support-relay.json'), JSON.stringify(relay.config({ name: 'Acme support', port })));
      const headsetd = await launchHeadsetd({ mode: 'settings' });
      await page.setViewportSize(PANEL_MAIN);
      await openUi(page, headsetd);
      await nav(page).getByRole('button', { name: 'Remote support' }).click();
      await page.getByRole('button', { name: 'Start support' }).click();

      const banner = page.getByTestId('support-banner');
      await expect(banner).toContainText('Connecting to Acme support…');
      await expect(page.getByRole('main')).toContainText('Connecting…');
      await expect(page.getByRole('main')).not.toContainText('Support is connected');
      await expect(banner.getByRole('button', { name: 'Stop support' })).toBeVisible();
      await screenshotsAtPanelSizes(page, 'support-connecting');

      // The relay goes away: the silent one closes, nothing listens there.
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      await expect(banner).toContainText('Connection to Acme support lost.', { timeout: 20_000 });
      await expect(page.getByRole('main')).toContainText('Lost, trying again');
      await expect(banner).toContainText('The support service cannot be reached.', { timeout: 20_000 });
      await expect(banner).toContainText(/Trying again( in \d+ seconds?)?/);
      await expectLargeTargets(page);
      await screenshotsAtPanelSizes(page, 'support-reconnecting');

      // The real relay comes up on that port: the next try connects.
      await relay.start(port);
      await expect(banner).toContainText("Acme support can read this headset's logs and settings.", { timeout: 60_000 });
      await expect(page.getByRole('main')).toContainText('Support is connected');

      // Connected, the relay drops: lost, then back on its own once the relay returns.
      await relay.stop();
      await expect(banner).toContainText('Connection to Acme support lost.', { timeout: 30_000 });
      await relay.start(port);
      await expect(banner).toContainText("Acme support can read this headset's logs and settings.", { timeout: 60_000 });

      await banner.getByRole('button', { name: 'Stop support' }).click();
      await expect(banner).toHaveCount(0);
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
      await relay.close();
    }
  });

  test('the support switch starts a session in the recovery kiosk; its banner is there, and Up, Down and Enter stop it', async ({
    page,
    headsetRoot,
    launchHeadsetd,
  }) => {
    test.setTimeout(90_000);
    const relay = new TestRelay();
    await relay.start();
    try {
      const stateDir = join(headsetRoot, 'data', 'headsetd');
      await mkdir(stateDir, { recursive: true });
      await writeFile(join(stateDir, 'support-relay.json'), JSON.stringify(relay.config({ name: 'Acme support' })));
      const headsetd = await launchHeadsetd({ mode: 'recovery' });
      await page.setViewportSize(PANEL_MAIN);
      await openUi(page, headsetd);
      await expect(page.locator('[data-mode="recovery"]')).toBeVisible();
      const switchFile = join(headsetRoot, 'gpio', 'support-switch', 'value');
      await mkdir(join(headsetRoot, 'gpio', 'support-switch'), { recursive: true });
      await writeFile(switchFile, '1\n');
      const banner = page.getByTestId('support-banner');
      await expect(banner).toContainText("Acme support can read this headset's logs and settings.");
      await screenshotsAtPanelSizes(page, 'support-recovery');
      const stop = banner.getByRole('button', { name: 'Stop support' });
      await focusWithArrows(page, stop, ['ArrowUp', 'ArrowDown']);
      await page.keyboard.press('Enter');
      await expect(banner).toHaveCount(0);
    } finally {
      await relay.close();
    }
  });
});
