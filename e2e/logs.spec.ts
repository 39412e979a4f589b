import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { SCREENSHOTS, expect, openUi, test, waitForLiveHome } from './fixtures.js';
import { arrowTo, expectKeyboardReachesEverything, expectLargeTargets, focusWithArrows } from './keyboardNavigation.js';
import { expectLayoutHolds } from './layoutCheck.js';

/**
 * Logs & Diagnostics against a real headsetd whose log folder holds a rotated, compressed file of
 * the last hours (GPS locks that got slower with a new version, a burst of update errors) beside
 * what headsetd itself writes. Driven with the keyboard as a controller would.
 */

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });
const main = (page: Page) => page.getByRole('main');

/** Three hours of history, ending ten minutes ago, in the rotated files' naming and format. */
async function seedLogHistory(root: string): Promise<number> {
  const now = Date.now();
  const start = now - 3 * 3_600_000 - 600_000;
  const lines: string[] = [];
  let seq = 0;
  for (let m = 0; m < 180; m += 2) {
    const version = m < 90 ? '0.9.0' : '0.9.1';
    const time = new Date(start + m * 60_000).toISOString();
    lines.push(
      JSON.stringify({
        time,
        level: 'info',
        subsystem: 'gps',
        msg: `GPS locked with ${6 + (m % 5)} satellites`,
        version,
        commit: 'e2e',
        bootId: m < 90 ? 'boot-old-1' : 'boot-old-2',
        seq: ++seq,
        fields: { timeToLockMs: (version === '0.9.0' ? 3000 : 9000) + (m % 7) * 40 },
      }),
    );
  }
  for (let i = 0; i < 40; i++) {
    lines.push(
      JSON.stringify({
        time: new Date(start + 170 * 60_000 + i * 10_000).toISOString(),
        level: 'error',
        subsystem: 'update',
        msg: `download failed after ${1000 + i * 13} bytes: connection reset`,
        version: '0.9.1',
        commit: 'e2e',
        bootId: 'boot-old-2',
        seq: ++seq,
      }),
    );
  }
  const stamp = new Date(start + 180 * 60_000).toISOString().replace(/[-:.]/g, '');
  const dir = join(root, 'data', 'logs');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `headsetd.${stamp}.log.gz`), gzipSync(`${lines.join('\n')}\n`));
  return lines.length;
}

async function openLogsWithKeys(page: Page): Promise<void> {
  const entry = nav(page).getByRole('button', { name: 'Logs & Diagnostics' });
  await focusWithArrows(page, entry);
  await page.keyboard.press('Enter');
  await expect(entry).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('log-lines')).toBeVisible();
}

async function press(page: Page, name: string): Promise<void> {
  await arrowTo(page, main(page).getByRole('button', { name, exact: true }));
  await page.keyboard.press('Enter');
}

/** The screen must read well on a small window, and in a time zone that is not UTC. */
const TIME_ZONE = 'America/New_York';

test.describe('Logs & Diagnostics', () => {
  test.use({ mode: 'settings', viewport: { width: 1280, height: 720 }, timezoneId: TIME_ZONE, locale: 'en-US' });

  test('filters change what is listed; the summary shows levels, templates and findings in words', async ({ page, headsetRoot, launchHeadsetd }) => {
    await seedLogHistory(headsetRoot);
    const headsetd = await launchHeadsetd({ mode: 'settings' });
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await openLogsWithKeys(page);

    // Pictures first: on a 1280x720 window what stands out and the levels over time are on the first screen.
    await expect(page.getByTestId('level-timeline')).toBeInViewport();
    await expect(page.getByTestId('findings')).toBeInViewport({ ratio: 0.3 });
    await page.screenshot({ path: join(SCREENSHOTS, 'logs-first-screen.png'), animations: 'disabled', caret: 'hide' });
    await expectLayoutHolds(page);
    await expect(page.getByTestId('summary-loading')).toHaveCount(0);
    await expect(page.locator('.summary-scope').first()).toHaveText('All entries in the time range');

    // Frequent messages: each shown as a real example, with what else it counts in words; no raw <num>, no "number" token.
    const templates = page.getByTestId('top-templates');
    await expect(templates.locator('.template-text').filter({ hasText: /^GPS locked with \d+ satellites$/ })).toHaveCount(1);
    await expect(templates.locator('.template-text').filter({ hasText: /^download failed after \d+ bytes: connection reset$/ })).toHaveCount(1);
    await expect(templates.locator('.template-example').first()).toHaveText('Also counted with other numbers in it');
    await expect(templates).not.toContainText('with number satellites');
    expect(await main(page).innerText()).not.toMatch(/<(num|path|\*|hex|ip|uuid|url)>/);
    await expect(page.getByTestId('insight').filter({ hasText: /^GPS time-to-lock is 2\.9× slower since 0\.9\.1/ })).toBeVisible();
    await expect(
      page.getByTestId('insight').filter({ hasText: 'median 9.1 s over 45 samples on 0.9.1, against 3.1 s over 45 on 0.9.0' }),
    ).toBeVisible();
    await expect(page.getByTestId('findings')).toContainText('Updates');
    // Health history: one reading is a value and "collecting", never a lone dot in an empty box.
    for (const chart of await page.getByTestId('health-chart').all()) {
      if ((await chart.locator('svg').count()) === 0) await expect(chart).toContainText('Collecting readings…');
      else {
        // Axes: the scale with its unit, and the time the line covers.
        await expect(chart.locator('.trend-values')).toContainText(/\d+\s(%|°C|s)/);
        await expect(chart.locator('.trend-times span')).toHaveCount(2);
      }
    }
    // Every time on the screen is local time: none says UTC.
    expect(await main(page).innerText()).not.toContain('UTC');

    // All levels: GPS info lines are listed. Errors only: every line listed is an error.
    await expect(page.getByTestId('log-line').filter({ hasText: 'GPS locked' }).first()).toBeVisible();
    await press(page, 'Errors');
    await expect(main(page).getByRole('button', { name: 'Errors', exact: true })).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('log-line').filter({ hasText: 'GPS locked' })).toHaveCount(0);
    await expect(page.getByTestId('log-line').first()).toContainText('connection reset');
    const errorLines = await page.getByTestId('log-line').count();
    expect(errorLines).toBeGreaterThanOrEqual(40);
    for (const level of await page.getByTestId('log-line').locator('.level-badge').allTextContents()) expect(level).toBe('Error');
    // The line's time is the local time of its instant.
    const first = page.getByTestId('log-line').first().locator('time');
    const instant = Date.parse((await first.getAttribute('datetime'))!);
    const clock = new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(instant);
    await expect(first).toContainText(clock);
    await page.getByTestId('entries-status').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'logs-entries.png'), animations: 'disabled', caret: 'hide' });
    await expectLayoutHolds(page);

    // Text narrows further (typed in the search field, reached with the arrows).
    const search = page.getByRole('searchbox');
    await arrowTo(page, search);
    await page.keyboard.type('1000 bytes');
    await expect(page.getByTestId('log-line')).toHaveCount(1);
    await expect(page.getByTestId('log-line')).toContainText('download failed after 1000 bytes');
    await page.screenshot({ path: join(SCREENSHOTS, 'logs-filtered.png'), animations: 'disabled', caret: 'hide' });
    await expectLayoutHolds(page);
    // The panels under the first screen: frequent messages and the health history.
    await page.locator('.logs-templates h2').scrollIntoViewIfNeeded();
    await page.locator('.logs-templates h2').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(SCREENSHOTS, 'logs-overview.png'), animations: 'disabled', caret: 'hide' });
    await expectLayoutHolds(page);
  });

  test('Export to USB writes the selected entries into DIR/usb; without a stick it says so', async ({ page, headsetRoot, launchHeadsetd }) => {
    await seedLogHistory(headsetRoot);
    const headsetd = await launchHeadsetd({ mode: 'settings' });
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await openLogsWithKeys(page);

    await press(page, 'Export to USB');
    await expect(page.getByTestId('export-problem')).toHaveText('No USB stick found. Plug one in and try again.');

    await mkdir(join(headsetRoot, 'usb'));
    // The parts sit behind one button: it opens their chips, Escape closes them.
    await press(page, 'Part: All parts');
    await expect(main(page).getByRole('button', { name: 'Part: All parts' })).toHaveAttribute('aria-expanded', 'true');
    await press(page, 'Updates');
    await expect(main(page).getByRole('button', { name: 'Part: Updates' })).toBeVisible();
    await expect(page.getByTestId('log-line').first()).toContainText('connection reset');
    await page.keyboard.press('Escape');
    await expect(main(page).getByRole('button', { name: 'Part: Updates' })).toHaveAttribute('aria-expanded', 'false');
    await expect(main(page).getByRole('button', { name: 'Part: Updates' })).toBeFocused();
    await press(page, 'Export to USB');
    const result = page.getByTestId('export-result');
    await expect(result).toContainText('You can remove the stick');
    // The outcome is brought into sight under the button.
    await expect(result).toBeInViewport({ ratio: 1 });
    const files = await readdir(join(headsetRoot, 'usb'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^headset-logs-\d{8}T\d{6}Z\.jsonl\.gz$/);
    await expect(result).toContainText(files[0]!);
    const exported = gunzipSync(await readFile(join(headsetRoot, 'usb', files[0]!)))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { subsystem: string });
    expect(exported.length).toBeGreaterThanOrEqual(40);
    expect(exported.every((e) => e.subsystem === 'update')).toBe(true);
    await expect(result).toContainText(`Saved ${exported.length} entries`);
    await page.screenshot({ path: join(SCREENSHOTS, 'logs.png'), animations: 'disabled', caret: 'hide' });
    await expectLayoutHolds(page);
  });

  test('keyboard only: arrows and Tab reach every control, focus is visible, targets are large', async ({ page, headsetRoot, launchHeadsetd }) => {
    // Every control, and every entry and panel the arrows stop at on the way, is visited in turn.
    test.setTimeout(90_000);
    await seedLogHistory(headsetRoot);
    const headsetd = await launchHeadsetd({ mode: 'settings' });
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await openLogsWithKeys(page);
    // A short list keeps the walk short: only the errors.
    await press(page, 'Errors');
    await press(page, 'Last hour');
    await press(page, 'Part: All parts');
    await expect(page.getByTestId('entries-status')).toContainText('entries shown');
    await expectKeyboardReachesEverything(page);
    await expectLargeTargets(page);
  });
});

test.describe('Logs & Diagnostics: Refresh', () => {
  test.use({ mode: 'settings', viewport: { width: 1280, height: 720 } });

  test('Refresh reads what was logged since the screen opened, entries and summary alike', async ({ page, headsetRoot, launchHeadsetd }) => {
    await seedLogHistory(headsetRoot);
    const headsetd = await launchHeadsetd({ mode: 'settings' });
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await openLogsWithKeys(page);
    await expect(page.getByTestId('range-status')).toContainText('Up to');
    await expect(page.getByTestId('log-line').filter({ hasText: 'refresh probe' })).toHaveCount(0);

    // A line that arrives after the screen was read (headsetd appends to the same file).
    const line = {
      time: new Date().toISOString(),
      level: 'fatal',
      subsystem: 'led',
      msg: 'refresh probe: lights driver gone',
      version: '0.9.1',
      commit: 'e2e',
      bootId: 'boot-e2e-probe',
      seq: 1,
    };
    await appendFile(join(headsetRoot, 'data', 'logs', 'headsetd.log'), `${JSON.stringify(line)}\n`);
    await expect(page.getByTestId('log-line').filter({ hasText: 'refresh probe' })).toHaveCount(0);

    await press(page, 'Refresh');
    await expect(page.getByTestId('log-line').filter({ hasText: 'refresh probe' })).toHaveCount(1);
    await expect(page.getByTestId('log-line').filter({ hasText: 'refresh probe' }).locator('.level-badge')).toHaveText('Crash');
    await expect(page.getByTestId('log-line').filter({ hasText: 'refresh probe' }).locator('.log-subsystem')).toHaveText('Lights');
    // The summary was read again too: the crash is a finding now.
    await expect(page.getByTestId('insight').filter({ hasText: 'The services crashed once, in the lights' })).toBeVisible();
  });
});

test.describe('recovery', () => {
  test.use({ mode: 'recovery' });

  test('the recovery kiosk exports the log to the USB stick with Down and Enter', async ({ page, headsetRoot, headsetd }) => {
    await mkdir(join(headsetRoot, 'usb'));
    await openUi(page, headsetd);
    const action = page.getByTestId('recovery-export');
    await focusWithArrows(page, action, ['ArrowDown']);
    await page.keyboard.press('Enter');
    await expect(action).toContainText('You can remove the stick');
    const files = await readdir(join(headsetRoot, 'usb'));
    expect(files).toHaveLength(1);
    const lines = gunzipSync(await readFile(join(headsetRoot, 'usb', files[0]!)))
      .toString('utf8')
      .trimEnd()
      .split('\n');
    expect(lines.some((l) => (JSON.parse(l) as { msg: string }).msg.startsWith('headsetd started'))).toBe(true);
  });
});
