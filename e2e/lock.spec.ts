import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SCREENSHOTS, expect, openUi, test, type Headsetd } from './fixtures.js';
import { expectLargeTargets, focusWithArrows } from './keyboardNavigation.js';
import { expectLayoutHolds } from './layoutCheck.js';

const PIN = '471105';
const WRONG = '839201';

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
  // The same state at the panel's sizes: nothing cut, nothing wider than its box.
  await expectLayoutHolds(page);
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });
const dots = (page: Page) => page.getByTestId('pin-dots');

/** Types digits on the keyboard, as a wearer with a keyboard would; the pad shows dots, never the digits. */
async function typePin(page: Page, pin: string): Promise<void> {
  for (const digit of pin) await page.keyboard.press(digit);
  await expect(dots(page)).toHaveAttribute('aria-label', `${pin.length} digits entered`);
  await expect(dots(page).locator('.pin-dot.filled')).toHaveCount(pin.length);
  expect(await page.locator('main').innerText()).not.toContain(pin);
}

/** The setup's formats, network (on the cable) and name with Enter alone, up to the PIN. */
async function toLockStep(page: Page, headsetd: Headsetd): Promise<void> {
  await openUi(page, headsetd);
  await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('setup-network-continue')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('setup-name')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Protect changes with a PIN' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Skip for now' })).toBeFocused();
}

/** After the PIN: start fresh, privacy's defaults, no licence, no update check, with Enter alone, up to Done. */
async function toDoneStep(page: Page): Promise<void> {
  await expect(page.getByRole('button', { name: 'Start fresh' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Save and continue' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('setup-license-skip')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('setup-update-skip')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'All set' })).toBeVisible();
}

/** Sets the PIN in the setup step with the keyboard, finishes setup, and opens Settings, Lock with the arrows. */
async function setPinInSetupAndOpenLock(page: Page, headsetd: Headsetd, shots?: string): Promise<void> {
  await toLockStep(page, headsetd);
  if (shots) await screenshot(page, `lock-setup-${shots}`);
  await typePin(page, PIN);
  // A typed digit moves the focus to the submit key: Enter goes on.
  await expect(page.getByRole('button', { name: 'Next' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Enter the same PIN again' })).toBeVisible();
  await typePin(page, PIN);
  await page.keyboard.press('Enter');
  await toDoneStep(page);
  await expect(page.getByRole('button', { name: 'Finish setup' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-mode="settings"]')).toBeVisible();

  const entry = nav(page).getByRole('button', { name: 'Lock' });
  await focusWithArrows(page, entry);
  await page.keyboard.press('Enter');
  await expect(entry).toHaveAttribute('aria-current', 'page');
  // Setting the PIN unlocked the connection that set it; a reload is a new connection: locked.
  await expect(page.getByTestId('lock-state')).toContainText('Unlocked');
  await page.reload();
  await expect(page.locator('[data-mode="settings"]')).toBeVisible();
  await focusWithArrows(page, entry);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('lock-state')).toContainText('Locked.');
}

test.describe('device lock, keyboard only', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('set in setup; in Settings a wrong PIN is refused, the right one unlocks; the PIN reaches no file, log or screen', async ({
    page,
    headsetd,
  }) => {
    await setPinInSetupAndOpenLock(page, headsetd, '1280x720');
    await screenshot(page, 'lock-settings-1280x720');

    // Unlock has the focus: Enter opens the pad.
    await expect(page.getByRole('button', { name: 'Unlock' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Enter your PIN' })).toBeVisible();
    // Escape leaves the pad for the overview, not for Home.
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('lock-state')).toContainText('Locked.');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Enter your PIN' })).toBeVisible();

    // The arrows reach the keys and Enter presses them; Backspace takes the last digit back.
    await focusWithArrows(page, page.getByRole('button', { name: '9', exact: true }));
    await page.keyboard.press('Enter');
    await expect(dots(page)).toHaveAttribute('aria-label', '1 digit entered');
    await page.keyboard.press('Backspace');
    await expect(dots(page)).toHaveAttribute('aria-label', '0 digits entered');

    await typePin(page, WRONG);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('alert')).toHaveText('The PIN is not right. Try again.');
    await expect(dots(page)).toHaveAttribute('aria-label', '0 digits entered');
    await screenshot(page, 'lock-wrong-pin-1280x720');

    await typePin(page, PIN);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('lock-state')).toContainText('Unlocked');
    await expect(page.getByRole('button', { name: 'Lock now' })).toBeFocused();
    await screenshot(page, 'lock-unlocked-1280x720');

    // Kept as an Argon2id hash with the wrong PIN counted and cleared; neither PIN anywhere.
    const lockFile = await readFile(join(headsetd.root, 'data', 'headsetd', 'lock.json'), 'utf8');
    expect(JSON.parse(lockFile)).toMatchObject({ format: 1, failures: 0, waitUntil: 0 });
    expect(lockFile).toMatch(/"pinHash":"\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
    const deviceLog = await readFile(join(headsetd.root, 'data', 'logs', 'headsetd.log'), 'utf8');
    expect(deviceLog).toContain('"subsystem":"lock","msg":"wrong PIN"');
    for (const text of [lockFile, deviceLog, headsetd.log(), await page.content()]) {
      expect(text).not.toContain(PIN);
      expect(text).not.toContain(WRONG);
    }

    // Lock now, from the keyboard: locked again.
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('lock-state')).toContainText('Locked.');
  });
});

test.describe('device lock on a 1024×600 panel', () => {
  test.use({ viewport: { width: 1024, height: 600 } });

  test('the setup step and the PIN pad fit, every key large enough', async ({ page, headsetd }) => {
    await toLockStep(page, headsetd);
    await expect(page.getByRole('group', { name: 'PIN keys' })).toBeInViewport({ ratio: 1 });
    await expect(page.getByRole('button', { name: 'Skip for now' })).toBeInViewport({ ratio: 1 });
    await expectLargeTargets(page);
    await screenshot(page, 'lock-setup-1024x600');

    // Skipping goes on without a PIN; Settings then offers to set one.
    await page.keyboard.press('Enter');
    await toDoneStep(page);
    await page.keyboard.press('Enter');
    const entry = nav(page).getByRole('button', { name: 'Lock' });
    await focusWithArrows(page, entry);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('lock-state')).toContainText('No PIN is set.');
    await expect(page.getByRole('button', { name: 'Set a PIN' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Set a PIN' })).toBeVisible();
    await typePin(page, '2468');
    await expect(page.getByRole('group', { name: 'PIN keys' })).toBeInViewport({ ratio: 1 });
    await expectLargeTargets(page);
    await screenshot(page, 'lock-pad-1024x600');
  });
});
