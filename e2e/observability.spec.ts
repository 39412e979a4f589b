import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SCREENSHOTS, expect, openUi, test, waitForLiveHome } from './fixtures.js';
import { expectLayoutHolds } from './layoutCheck.js';

test.use({ mode: 'settings' });

async function crashRecords(
  root: string,
): Promise<{ process: string; error: { name: string; message: string; stack?: string }; recentLines: { msg?: string }[] }[]> {
  const dir = join(root, 'data', 'crashes');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8'))));
}

async function deviceLog(root: string): Promise<string> {
  const dir = join(root, 'data', 'logs');
  const names = await readdir(dir).catch(() => [] as string[]);
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8').catch(() => '')))).join('');
}

test.describe('Observability', () => {
  test('Home shows the battery and the GPS receiver from the health snapshot', async ({ page, headsetRoot, launchHeadsetd }) => {
    // The receiver's backup memory holds a fix from a minute ago: a hot start, locked in seconds.
    await mkdir(join(headsetRoot, 'gps'), { recursive: true });
    await writeFile(join(headsetRoot, 'gps', 'backup.json'), JSON.stringify({ lastFixAt: Date.now() - 60_000 }));
    const headsetd = await launchHeadsetd({ mode: 'settings' });
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await expect(page.getByTestId('health-battery')).toHaveAttribute('aria-valuetext', /^\d+ %( · charging)?$/);
    await expect(page.getByTestId('health-gps')).toHaveAttribute('aria-valuetext', /^(Searching|Locked in [\d.]+ s) · \d+ satellites/);
    // Health snapshots come every 3 s: the lock shows within a few.
    await expect(page.getByTestId('health-gps')).toHaveAttribute('aria-valuetext', /^Locked in [\d.]+ s · \d+ satellites/, { timeout: 12_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'home-health.png'), animations: 'disabled', caret: 'hide' });
    await expectLayoutHolds(page);
  });

  test('a page load logs nothing, and an uncaught error in the page leaves a crash record in headsetd', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    // A page load is not news: reloading logs nothing (the log of a headset worn all day is not a list of reloads).
    await page.reload();
    await waitForLiveHome(page);
    await expect.poll(() => deviceLog(headsetd.root)).toMatch(/"subsystem":"network"/);
    await page.waitForTimeout(1500);
    expect(await deviceLog(headsetd.root)).not.toMatch(/renderer started/);
    await page.evaluate(() => {
      setTimeout(() => {
        throw new TypeError('e2e renderer crash');
      }, 0);
    });
    await expect.poll(async () => (await crashRecords(headsetd.root)).length, { timeout: 8_000 }).toBe(1);
    const [record] = await crashRecords(headsetd.root);
    expect(record!.process).toBe('renderer');
    expect(record!.error).toMatchObject({ name: 'TypeError', message: 'e2e renderer crash' });
    expect(record!.recentLines.some((line) => line.msg === 'renderer started')).toBe(false);
    // The log is written in batches: the fatal line follows within moments.
    await expect
      .poll(() => deviceLog(headsetd.root), { timeout: 5_000 })
      .toMatch(/"level":"fatal","subsystem":"ui","msg":"renderer crashed: TypeError: e2e renderer crash"/);
  });
});
