import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import type { BrowserGlobals } from '../browserGlobals.js';
import { DIST, REPO_ROOT, UUID, expect, readIdentity, test, type Headsetd } from '../fixtures.js';

/**
 * The app as shipped: Electron main (unprivileged) with the sandboxed renderer, talking to a
 * headsetd it did not start, over the Unix socket only. Needs Electron's binary, which its npm
 * package downloads from GitHub at install time (not possible on every machine), and a display.
 */
const ELECTRON = join(REPO_ROOT, 'node_modules', 'electron', 'dist', 'electron');
const MAIN = join(DIST, 'electron', 'main.cjs');
const hasDisplay = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;

test.skip(
  !existsSync(ELECTRON),
  `Electron's binary is not installed (${ELECTRON} is missing: its npm package could not download it). Install it to run the Electron tests.`,
);
test.skip(!hasDisplay, 'Electron needs a display: set DISPLAY or WAYLAND_DISPLAY (for example run under xvfb-run).');

async function launchApp(headsetd: Headsetd): Promise<{ app: ElectronApplication; window: Page }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`node scripts/build.mjs\` first.`);
  const app = await _electron.launch({ executablePath: ELECTRON, args: [MAIN, `--socket=${headsetd.socketPath}`], cwd: REPO_ROOT });
  const window = await app.firstWindow();
  return { app, window };
}

test.describe('Electron app', () => {
  let app: ElectronApplication | undefined;
  test.afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  test('opens a window on the settings Home with the device id', async ({ launchHeadsetd }) => {
    const headsetd = await launchHeadsetd({ mode: 'settings' });
    const identity = await readIdentity(headsetd.root);
    const launched = await launchApp(headsetd);
    app = launched.app;
    const window = launched.window;
    await expect(window.locator('[data-mode="settings"]')).toBeVisible();
    await expect(window.getByTestId('connection')).toHaveText('Live');
    await expect(window.getByTestId('device-id')).toHaveText(identity.deviceId);
    expect(new URL(window.url()).origin).toBe('app://headset');
  });

  test('opens the first-run wizard on a new device', async ({ launchHeadsetd }) => {
    const headsetd = await launchHeadsetd();
    const launched = await launchApp(headsetd);
    app = launched.app;
    await expect(launched.window.locator('[data-mode="setup"]')).toBeVisible();
    await expect(launched.window.getByTestId('device-id')).toHaveText(UUID);
  });

  test('the page has no Node and only the data-only bridge', async ({ launchHeadsetd }) => {
    const headsetd = await launchHeadsetd({ mode: 'settings' });
    const launched = await launchApp(headsetd);
    app = launched.app;
    const window = launched.window;
    await expect(window.locator('[data-mode]')).toBeVisible();

    const page = await window.evaluate(() => {
      const g = globalThis as unknown as BrowserGlobals;
      return {
        require: typeof g.require,
        process: typeof g.process,
        bridgeKeys: g.headsetBridge ? Object.keys(g.headsetBridge).sort() : null,
        bridgeTypes: g.headsetBridge ? Object.values(g.headsetBridge).map((v) => typeof v) : null,
      };
    });
    expect(page.require).toBe('undefined');
    expect(page.process).toBe('undefined');
    expect(page.bridgeKeys).toEqual(['connect', 'onConnection', 'onMessage', 'post']);
    expect(page.bridgeTypes).toEqual(['function', 'function', 'function', 'function']);

    // Its webPreferences are not visible from the page; their effect is: no second window either.
    expect(await window.evaluate(() => (globalThis as unknown as BrowserGlobals).open?.('app://headset/index.html') ?? null)).toBeNull();
    expect(app.windows()).toHaveLength(1);
  });

  test('keeps its window when headsetd restarts: the page comes back by itself on the same screen', async ({ launchHeadsetd }) => {
    test.setTimeout(60_000);
    const headsetd = await launchHeadsetd({ mode: 'settings' });
    const launched = await launchApp(headsetd);
    app = launched.app;
    const window = launched.window;
    await expect(window.getByTestId('connection')).toHaveText('Live');
    const nav = window.getByRole('navigation', { name: 'Settings' });
    await nav.getByRole('button', { name: 'Updates' }).click();

    // As systemd does after a crash: the same root, so the same socket.
    await headsetd.kill();
    await expect(window.getByRole('alertdialog', { name: 'Not connected to the headset' })).toBeVisible();
    await expect(window.getByRole('button', { name: 'Retry' })).toBeFocused();
    expect(app.windows()).toHaveLength(1);
    await launchHeadsetd({ mode: 'settings' });
    await expect(window.getByRole('alertdialog')).toBeHidden({ timeout: 20_000 });
    await expect(window.getByTestId('connection')).toHaveText('Live');
    await expect(nav.getByRole('button', { name: 'Updates' })).toHaveAttribute('aria-current', 'page');
    expect(app.windows()).toHaveLength(1);
  });
});
