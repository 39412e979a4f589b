import { copyFile, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { decodeGrubEnv, encodeGrubEnv } from '../src/boot/grubEnvCodec.js';
import { SCREENSHOTS, expect, openUi } from './fixtures.js';
import { expectLayoutHolds, screenshotsAtPanelSizes } from './layoutCheck.js';
import { updateTest as test } from './updateRepository.js';

/**
 * Network and USB recovery in the kiosk, keyboard only (Up, Down, Enter): a headset whose slot A is
 * damaged and spent its tries starts in recovery; the newest system comes from a served TUF
 * repository, or a signed bundle from the stick (a tampered one refused, nothing changed).
 */

const KIOSK_SIZES = [
  { width: 1280, height: 720 },
  { width: 1024, height: 600 },
  { width: 800, height: 480 },
];

/** A first start (the device is made), then slot A damaged and out of tries: the next start is recovery. */
async function breakSlotA(root: string): Promise<void> {
  const slot = await open(join(root, 'slots', 'A.img'), 'r+');
  await slot.write(Buffer.from('DAMAGED!'), 0, 8, 100);
  await slot.close();
  const grubEnv = join(root, 'boot', 'grubenv');
  const variables = decodeGrubEnv(await readFile(grubEnv));
  variables.set('A_LEFT', '0');
  await writeFile(grubEnv, encodeGrubEnv(variables));
}

/** Moves the focus with Down (Up when it passed) until `name`'s action has it: the keys only. */
async function focusAction(page: Page, name: RegExp): Promise<void> {
  const target = page.getByRole('menuitem', { name });
  for (let i = 0; i < 12 && !(await target.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('ArrowDown');
  await expect(target).toBeFocused();
}

/** The question before an install: Cancel has the focus, Up reaches Yes, Enter starts the install. */
async function confirmInstall(page: Page, shot?: string): Promise<void> {
  await expect(page.getByTestId('recovery-install-question')).toBeVisible();
  await expect(page.getByTestId('recovery-install-cancel')).toBeFocused();
  if (shot) await screenshotsAtPanelSizes(page, shot);
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('recovery-install-yes')).toBeFocused();
  await page.keyboard.press('Enter');
}

test.describe('recovery installs, keyboard only', () => {
  test('network recovery: the newest system from the update server into slot B, then Restart starts it', async ({
    page,
    headsetRoot,
    launchHeadsetd,
    updateRepository,
  }) => {
    test.setTimeout(120_000);
    await updateRepository.trustOn(headsetRoot);
    expect(await (await launchHeadsetd({ updateUrl: updateRepository.url })).stop()).toBe(0);
    await breakSlotA(headsetRoot);

    const headsetd = await launchHeadsetd({ updateUrl: updateRepository.url });
    await page.setViewportSize({ width: 1280, height: 720 });
    await openUi(page, headsetd);
    await expect(page.getByTestId('recovery-reason')).toHaveText(
      'The system did not start: it failed on every try, so the headset started in recovery.',
    );
    await focusAction(page, /Reinstall the system/);
    await page.keyboard.press('Enter');
    // The list opens on its first action.
    const action = page.getByTestId('recovery-install-network');
    await expect(action).toBeFocused();
    await page.keyboard.press('Enter');
    // Asked first: into which slot, what stays.
    await expect(page.getByTestId('recovery-install-question')).toContainText('into slot B');
    await confirmInstall(page, 'recovery-install-question');
    await expect(action).toContainText('Installed 1.1.0 into slot B. Choose Restart to start it.', { timeout: 60_000 });
    await expect(action).toBeFocused();

    for (const size of KIOSK_SIZES) {
      await page.setViewportSize(size);
      await expect(action).toBeInViewport({ ratio: 1 });
      await expectLayoutHolds(page, []);
      await page.screenshot({
        path: join(SCREENSHOTS, `recovery-installed-${size.width}x${size.height}.png`),
        animations: 'disabled',
        caret: 'hide',
      });
    }

    // Down to Back, Enter: Restart has the focus, its hint names what starts; Enter: 1.1.0 from slot B.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('recovery-install-back')).toBeFocused();
    await page.keyboard.press('Enter');
    const restart = page.getByRole('menuitem', { name: /Restart the headset/ });
    await expect(restart).toBeFocused();
    await expect(restart).toContainText('Start 1.1.0, just installed into slot B');
    await page.keyboard.press('Enter');
    await expect(page.locator('[data-mode="setup"]')).toBeVisible({ timeout: 30_000 });
    const cmdline = await readFile(join(headsetRoot, 'run', 'cmdline'), 'utf8');
    expect(cmdline).toContain('headset.slot=B headset.recovery=0');
  });

  test('USB recovery: a tampered bundle is refused and nothing changes; the signed one installs', async ({
    page,
    headsetRoot,
    launchHeadsetd,
    updateRepository,
  }) => {
    test.setTimeout(120_000);
    await updateRepository.trustOn(headsetRoot);
    expect(await (await launchHeadsetd()).stop()).toBe(0);
    await breakSlotA(headsetRoot);
    const bundle = await updateRepository.signedBundle('1.2.0', 400_000);

    const headsetd = await launchHeadsetd();
    await page.setViewportSize({ width: 1024, height: 600 });
    await openUi(page, headsetd);
    await focusAction(page, /Reinstall the system/);
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowDown');
    const action = page.getByTestId('recovery-install-usb');
    await expect(action).toBeFocused();

    // Cancel writes nothing and comes back to the action.
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('recovery-install-cancel')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(action).toBeFocused();
    await expect(action).toContainText('The signed .hcb file on the stick');

    // No stick yet: said where the wearer pressed.
    await page.keyboard.press('Enter');
    await confirmInstall(page);
    await expect(action).toContainText('No USB stick found');

    const stick = join(headsetRoot, 'usb');
    await mkdir(stick, { recursive: true });
    const tampered = await readFile(bundle);
    tampered[tampered.length - 1000]! ^= 0xff;
    await writeFile(join(stick, 'headset-1.2.0.hcb'), tampered);
    const grubBefore = await readFile(join(headsetRoot, 'boot', 'grubenv'));
    await page.keyboard.press('Enter');
    await confirmInstall(page);
    await expect(action).toContainText('That file is damaged or not signed for this headset, so it was refused. Nothing was changed.', {
      timeout: 30_000,
    });
    await expect(action).toBeFocused();
    expect(Buffer.compare(await readFile(join(headsetRoot, 'boot', 'grubenv')), grubBefore)).toBe(0);
    await expectLayoutHolds(page, []);
    await page.screenshot({ path: join(SCREENSHOTS, 'recovery-usb-refused-1024x600.png'), animations: 'disabled', caret: 'hide' });

    await copyFile(bundle, join(stick, 'headset-1.2.0.hcb'));
    await page.keyboard.press('Enter');
    await confirmInstall(page);
    await expect(action).toContainText('Installed 1.2.0 into slot B. Choose Restart to start it.', { timeout: 60_000 });
    await expectLayoutHolds(page, []);
    await page.screenshot({ path: join(SCREENSHOTS, 'recovery-usb-installed-1024x600.png'), animations: 'disabled', caret: 'hide' });
  });
});
