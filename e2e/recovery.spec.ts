import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { decodeGrubEnv, encodeGrubEnv } from '../src/boot/grubEnvCodec.js';
import { SCREENSHOTS, expect, openUi, test } from './fixtures.js';
import { expectLayoutHolds } from './layoutCheck.js';

/**
 * The recovery kiosk on the screens it runs on (1280 × 720, 1024 × 600, 800 × 480): every action, the
 * focus ring around it and the export's message on screen without scrolling; a line saying which
 * three keys work; the reason in words: the button held, or a system that did not start.
 */

const KIOSK_SIZES = [
  { width: 1280, height: 720 },
  { width: 1024, height: 600 },
  { width: 800, height: 480 },
];

/** Room the focus ring takes around a control (4 px outline, 4 px offset, glow beyond). */
const RING = 8;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The kiosk itself does not scroll, and each action with its ring lies inside the screen. */
async function expectActionsOnScreen(page: Page, size: { width: number; height: number }): Promise<void> {
  const kiosk = page.locator('[data-mode="recovery"]');
  const scrolls = await kiosk.evaluate((el) => {
    const box = el as unknown as { scrollHeight: number; clientHeight: number };
    return box.scrollHeight > box.clientHeight + 1;
  });
  expect(scrolls, `the kiosk scrolls at ${size.width} × ${size.height}`).toBe(false);
  for (const action of await page.getByRole('menuitem').all()) {
    const box = (await action.boundingBox()) as Box;
    const name = (await action.textContent())?.trim().slice(0, 40);
    expect.soft(box.y - RING, `top of "${name}" with its ring`).toBeGreaterThanOrEqual(0);
    expect.soft(box.y + box.height + RING, `bottom of "${name}" with its ring`).toBeLessThanOrEqual(size.height);
    expect.soft(box.x - RING, `left of "${name}" with its ring`).toBeGreaterThanOrEqual(0);
    expect.soft(box.x + box.width + RING, `right of "${name}" with its ring`).toBeLessThanOrEqual(size.width);
  }
}

test.describe('the recovery kiosk fits its screens', () => {
  test.use({ mode: 'recovery' });

  for (const size of KIOSK_SIZES) {
    test(`at ${size.width} × ${size.height}: every action, its ring, the key hint and the USB message`, async ({ page, headsetRoot, headsetd }) => {
      await page.setViewportSize(size);
      await openUi(page, headsetd);
      const actions = page.getByRole('menuitem');
      await expect(actions.first()).toBeFocused();
      await expect(page.getByTestId('recovery-keys')).toHaveText('↑ Up ↓ Down choose an action, Enter does it');
      await expect(page.getByTestId('recovery-keys')).toBeInViewport({ ratio: 1 });
      await expect(page.getByTestId('recovery-reason')).toHaveText('Recovery was requested when the headset started.');
      await expectActionsOnScreen(page, size);
      await expectLayoutHolds(page, []);
      await page.screenshot({ path: join(SCREENSHOTS, `recovery-${size.width}x${size.height}.png`), animations: 'disabled', caret: 'hide' });

      // The last action focused, with Down only: its ring is on screen.
      const count = await actions.count();
      for (let i = 1; i < count; i++) await page.keyboard.press('ArrowDown');
      await expect(actions.last()).toBeFocused();
      await expectActionsOnScreen(page, size);

      // The export's message (a stick in the simulated USB port): its longest words fit too.
      await mkdir(join(headsetRoot, 'usb'), { recursive: true });
      const exportAction = page.getByTestId('recovery-export');
      await exportAction.focus();
      await page.keyboard.press('Enter');
      await expect(exportAction).toContainText('You can remove the stick');
      await expect(exportAction).toBeInViewport({ ratio: 1 });
      await expectActionsOnScreen(page, size);
      await expectLayoutHolds(page, []);
      await page.screenshot({ path: join(SCREENSHOTS, `recovery-usb-${size.width}x${size.height}.png`), animations: 'disabled', caret: 'hide' });
    });
  }
});

test.describe('why the headset is in recovery', () => {
  test('a system that failed on every try: the kiosk says it did not start', async ({ page, headsetRoot, launchHeadsetd }) => {
    // A device that booted once, then a slot that used up its tries without starting: no slot is left.
    expect(await (await launchHeadsetd()).stop()).toBe(0);
    const grubEnv = join(headsetRoot, 'boot', 'grubenv');
    const variables = decodeGrubEnv(await readFile(grubEnv));
    variables.set('A_LEFT', '0');
    await writeFile(grubEnv, encodeGrubEnv(variables));

    const headsetd = await launchHeadsetd();
    await page.setViewportSize({ width: 1024, height: 600 });
    await openUi(page, headsetd);
    await expect(page.locator('[data-mode="recovery"]')).toBeVisible();
    await expect(page.getByTestId('recovery-reason')).toHaveText(
      'The system did not start: it failed on every try, so the headset started in recovery.',
    );
    await expect(page.getByRole('menuitem', { name: /Restart the headset/ })).toBeFocused();
    await page.screenshot({ path: join(SCREENSHOTS, 'recovery-boot-failed-1024x600.png'), animations: 'disabled', caret: 'hide' });
  });
});
