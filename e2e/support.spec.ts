import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { relayRigUnavailable, TestRelay } from '../test-support/support/relayRig.js';
import { SCREENSHOTS, expect, openUi, test } from './fixtures.js';
import { expectLargeTargets, focusWithArrows } from './keyboardNavigation.js';
import { expectLayoutHolds } from './layoutCheck.js';

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1024, height: 600 },
] as const;
const unavailable = relayRigUnavailable();
const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

async function screenshots(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`), animations: 'disabled', caret: 'hide' });
    await expectLayoutHolds(page, []);
  }
  await page.setViewportSize(SIZES[0]);
}

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
      await page.setViewportSize(SIZES[0]);
      await openUi(page, headsetd);

      await nav(page).getByRole('button', { name: 'Remote support' }).click();
      await expect(page.getByRole('heading', { name: 'Remote support' })).toBeVisible();
      await expect(page.getByRole('button', { name: '1 hour' })).toHaveAttribute('aria-pressed', 'true');
      await screenshots(page, 'support-start');
      await page.getByRole('button', { name: 'Start support' }).click();

      const banner = page.getByTestId('support-banner');
      await expect(banner).toContainText("Acme support can read this headset's logs and settings.");
      await expect(banner).toContainText(/Since \d\d:\d\d/);
      await expect(page.getByTestId('support-time-left')).toHaveText(/^(1 hour|59 minutes) left$/);
      await expect(page.getByRole('main')).toContainText('Support is connected');
      await expectLargeTargets(page);
      await screenshots(page, 'support-active');

      // On every screen: Home too.
      await nav(page).getByRole('button', { name: 'Home' }).click();
      await expect(banner).toBeVisible();
      await screenshots(page, 'support-banner-home');

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
      await page.setViewportSize(SIZES[0]);
      await openUi(page, headsetd);
      await expect(page.locator('[data-mode="recovery"]')).toBeVisible();
      const switchFile = join(headsetRoot, 'gpio', 'support-switch', 'value');
      await mkdir(join(headsetRoot, 'gpio', 'support-switch'), { recursive: true });
      await writeFile(switchFile, '1\n');
      const banner = page.getByTestId('support-banner');
      await expect(banner).toContainText("Acme support can read this headset's logs and settings.");
      await screenshots(page, 'support-recovery');
      const stop = banner.getByRole('button', { name: 'Stop support' });
      await focusWithArrows(page, stop, ['ArrowUp', 'ArrowDown']);
      await page.keyboard.press('Enter');
      await expect(banner).toHaveCount(0);
    } finally {
      await relay.close();
    }
  });
});
