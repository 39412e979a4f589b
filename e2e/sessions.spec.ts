import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { completeSetup, expect, openUi, test, waitForLiveHome } from './fixtures.js';
import { expectKeyboardReachesEverything, expectLargeTargets, focusWithArrows } from './keyboardNavigation.js';
import { PANEL_MAIN, screenshotsAtPanelSizes } from './layoutCheck.js';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

test.describe('Sessions', () => {
  test('a drive on a circuit becomes a session: learned track, laps as a chart, best lap; keyboard only', async ({
    page,
    headsetRoot,
    launchHeadsetd,
  }) => {
    test.setTimeout(180_000);
    // The simulated headset at Hollowmere: a hot GPS (a fix a minute ago), four laps with a pit stop,
    // ten fixes a second, fast-forwarded 40 times (a two-minute lap in three seconds).
    await mkdir(join(headsetRoot, 'gps'), { recursive: true });
    await writeFile(join(headsetRoot, 'gps', 'backup.json'), JSON.stringify({ lastFixAt: Date.now() - 60_000 }));
    await writeFile(
      join(headsetRoot, 'gps', 'drive.json'),
      JSON.stringify({ circuit: 'hollowmere-gp', laps: 4, pitStopsAfterLaps: [2], rateHz: 10, timeScale: 40, seed: 16 }),
    );
    const headsetd = await launchHeadsetd();
    await page.setViewportSize(PANEL_MAIN);
    await openUi(page, headsetd);
    await completeSetup(page);
    await waitForLiveHome(page);

    const entry = nav(page).getByRole('button', { name: 'Sessions' });
    await focusWithArrows(page, entry);
    await page.keyboard.press('Enter');
    await expect(entry).toHaveAttribute('aria-current', 'page');

    // The session appears by itself once the first lap closes, and its laps come in as they are driven.
    const session = page.getByTestId('session-entry').first();
    await expect(session).toContainText('Track 1 (5.1 km)', { timeout: 90_000 });
    await expect(session).toContainText('4 laps', { timeout: 90_000 });
    await expect(session).toContainText(/best \d:\d\d\.\d\d/);
    await expectLargeTargets(page);
    await expectKeyboardReachesEverything(page);
    await screenshotsAtPanelSizes(page, 'sessions-list');

    await focusWithArrows(page, session);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('session-track')).toHaveText('Track 1 (5.1 km)');
    await expect(page.getByTestId('session-best')).toHaveText(/^\d:\d\d\.\d\d$/);
    await expect(page.getByTestId('session-sectors')).toContainText('possible');
    await expect(page.getByTestId('track-outline')).toBeVisible();
    const laps = page.getByTestId('lap-row');
    await expect(laps).toHaveCount(4);
    // One lap has the pit stop; the best lap is marked and is a lap that counts.
    await expect(laps.filter({ hasText: 'Pit stop' })).toHaveCount(1);
    const best = laps.filter({ hasText: 'Best' });
    await expect(best).toHaveCount(1);
    await expect(best.locator('.lap-time')).toHaveText((await page.getByTestId('session-best').textContent())!);
    // The arrows walk the laps; each reads out its time.
    await focusWithArrows(page, laps.last());
    await expect(laps.last()).toHaveAttribute('aria-label', /^Lap \d: \d:\d\d\.\d\d/);
    await expectLargeTargets(page);
    await screenshotsAtPanelSizes(page, 'sessions-session', { atTop: page.getByTestId('session-back') });

    // Escape closes the session, back on the list (not Home).
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('session-list')).toBeVisible();
    await expect(entry).toHaveAttribute('aria-current', 'page');
  });
});
