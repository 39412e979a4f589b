import { expect, openUi, readBuildInfo, readIdentity, test, waitForLiveHome } from './fixtures.js';

test.use({ mode: 'settings' });

test.describe('Home', () => {
  test('shows this headset, its software and its slots as headsetd reports them', async ({ page, headsetd }) => {
    const identity = await readIdentity(headsetd.root);
    const build = await readBuildInfo();
    await openUi(page, headsetd);
    await waitForLiveHome(page);

    await expect(page.getByTestId('device-id')).toHaveText(identity.deviceId);
    await expect(page.getByTestId('public-key')).toContainText(identity.publicKey.slice(0, 16));
    await expect(page.getByTestId('model')).toContainText('Simulated');
    await expect(page.getByTestId('app-version')).toHaveText(build.version);
    await expect(page.getByTestId('app-commit')).toHaveText(build.commit.slice(0, 12));

    const slotA = page.getByTestId('slot-A');
    await expect(slotA).toContainText('Running');
    await expect(page.getByTestId('slot-A-version')).toHaveText(build.version);
    // The factory image goes to slot A only: B stays empty and is not the running slot.
    await expect(page.getByTestId('slot-B')).not.toContainText('Running');
  });

  test('shows live health values and refreshes them', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await expect(page.getByTestId('health-cpu')).toContainText(/\d+ %/);
    await expect(page.getByTestId('health-temperature')).toContainText(/\d+\.\d °C/);
    await expect(page.getByTestId('health-memory')).toContainText(/[\d.]+ [KMGT]?B of [\d.]+ [KMGT]?B/);
    await expect(page.getByTestId('health-disk')).toContainText(/[\d.]+ [KMGT]?B of [\d.]+ [KMGT]?B/);

    const updated = page.getByTestId('health-updated');
    const first = await updated.getAttribute('data-taken-at');
    expect(first, 'the first snapshot has a time').toBeTruthy();
    expect(Date.parse(first!)).not.toBeNaN();
    // headsetd samples every 3 s and pushes each snapshot: a new one arrives well within 8 s.
    await expect.poll(() => updated.getAttribute('data-taken-at'), { timeout: 8_000, message: 'a newer health snapshot arrives' }).not.toBe(first);
    const second = await updated.getAttribute('data-taken-at');
    expect(Date.parse(second!)).toBeGreaterThan(Date.parse(first!));
  });

  test('says the connection is live', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    const badge = page.getByTestId('connection');
    await expect(badge).toHaveText('Live');
    await expect(badge.locator('.dot')).toHaveClass(/\bconnected\b/);
  });

  test('says when the connection is lost', async ({ page, headsetd }) => {
    await openUi(page, headsetd);
    await waitForLiveHome(page);
    await headsetd.stop();
    await expect(page.getByRole('heading', { name: 'Not connected' })).toBeVisible();
  });
});
