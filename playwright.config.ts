import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: Chromium against headsetd's web host (always), Electron where its binary exists.
 * Run `node scripts/build.mjs` first (`npm run test:e2e` does): the tests drive dist/, not the sources.
 *
 * No Playwright browser download here: the Chromium project uses the system's Chromium (Debian's
 * /usr/bin/chromium) unless PLAYWRIGHT_CHROMIUM_EXECUTABLE names another one. Its page runs with the
 * production security settings: no bypassCSP, no --disable-web-security, nothing relaxed. The
 * flags only keep Chromium quiet on a closed network (background networking, component updates,
 * sync) and let it start as root (--no-sandbox: the OS sandbox, not the page's security model).
 */
const chromiumExecutable = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e/test-results',
  reporter: 'list',
  // Each test starts its own headsetd and browser; two at a time suit a 2-core machine.
  workers: 2,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      testMatch: /e2e[\\/][^\\/]+\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        viewport: { width: 1600, height: 900 },
        launchOptions: {
          executablePath: chromiumExecutable,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            '--disable-quic',
          ],
        },
      },
    },
    {
      name: 'electron',
      testMatch: /e2e[\\/]electron[\\/][^\\/]+\.spec\.ts$/,
    },
  ],
});
