import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page, type Response } from '@playwright/test';
import type { Mode } from '../src/api/contract.js';
import type { BrowserGlobals } from './browserGlobals.js';

export { expect };
export type { Mode };

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(REPO_ROOT, 'dist');
export const HEADSETD = join(DIST, 'headsetd.mjs');
export const SCREENSHOTS = join(REPO_ROOT, 'e2e', 'screenshots');

const URL_LINE = /^Headset Control UI: (http:\/\/\S+)$/;
const SOCKET_LINE = /^headsetd: API socket (\S+)$/;
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 8_000;
const MAX_LOG_LINES = 2_000;

export interface HeadsetdOptions {
  /** The simulated device's folder (created on first start, kept across restarts of headsetd). */
  root: string;
  /** Forces the mode of the first boot (`--mode`); otherwise the device decides. */
  mode?: Mode;
  /** The TUF update repository to follow (`--update-url`, remembered by the device). */
  updateUrl?: string;
  /** The fleet server to register with (`--fleet-url`, remembered by the device). */
  fleetUrl?: string;
  /** The web host's port (default 0: a free one); a restart passes the last one's. */
  port?: number;
  /** The web host's token, handed over on descriptor 4 (`--token-fd`) as the launcher does; default: headsetd makes one. */
  token?: string;
  startTimeoutMs?: number;
}

export interface Headsetd {
  /** The UI's address, token in the fragment, as headsetd printed it. */
  url: string;
  origin: string;
  token: string;
  root: string;
  socketPath: string;
  /** What headsetd wrote so far, stdout and stderr interleaved by line. */
  log(): string;
  /** The web host's port. */
  port: number;
  /** SIGTERM, then waits for the exit (SIGKILL after a grace period). Resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash or a power cut would end it; resolves once it is gone. */
  kill(): Promise<void>;
  /** Whether kill() ended it (its exit code says nothing then). */
  readonly killed: boolean;
}

/** Starts `node dist/headsetd.mjs` on the simulated device at `root` with the web host on a free port. */
export async function startHeadsetd(options: HeadsetdOptions): Promise<Headsetd> {
  if (!existsSync(HEADSETD)) throw new Error(`${HEADSETD} is missing: run \`node scripts/build.mjs\` before the e2e tests.`);
  const args = [HEADSETD, '--device', 'simulated', '--root', options.root, '--web', '--port', String(options.port ?? 0), '--url-fd', '3'];
  if (options.mode) args.push('--mode', options.mode);
  if (options.updateUrl) args.push('--update-url', options.updateUrl);
  if (options.fleetUrl) args.push('--fleet-url', options.fleetUrl);
  if (options.token) args.push('--token-fd', '4');
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe', 'pipe', options.token ? 'pipe' : 'ignore'] });
  // Never on the command line: on its own pipe, as the launcher hands it over.
  if (options.token) (child.stdio[4] as Writable).end(`${options.token}\n`);
  const lines: string[] = [];
  const stderr: string[] = [];
  const keep = (list: string[], line: string) => {
    list.push(line);
    if (list.length > MAX_LOG_LINES) list.shift();
  };
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stdoutLines = createInterface({ input: child.stdout! });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    keep(stderr, line);
    keep(lines, `[stderr] ${line}`);
  });

  const timeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS;
  const started = await new Promise<{ url: string; socketPath: string }>((resolve, reject) => {
    let socketPath = join(options.root, 'run', 'headsetd.sock');
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new Error(
          `headsetd ${reason}.\n--- stderr ---\n${stderr.join('\n') || '(empty)'}\n--- stdout ---\n${lines.filter((l) => !l.startsWith('[stderr]')).join('\n') || '(empty)'}`,
        ),
      );
    };
    const timer = setTimeout(() => fail(`printed no UI address within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    void exited.then((code) => fail(`exited (${child.signalCode ?? `code ${code}`}) before printing its UI address`));
    stdoutLines.on('line', (line) => {
      keep(lines, line);
      const socket = SOCKET_LINE.exec(line);
      if (socket) socketPath = socket[1]!;
    });
    // The address with its token comes on descriptor 3 (stdout, the journal, never carries the token).
    createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
      const match = URL_LINE.exec(line);
      if (match && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ url: match[1]!, socketPath });
      }
    });
  });

  const url = new URL(started.url);
  const token = new URLSearchParams(url.hash.slice(1)).get('token');
  if (!token) {
    child.kill('SIGKILL');
    throw new Error(`headsetd printed a UI address without a token: ${started.url}`);
  }
  let stopping: Promise<number | null> | undefined;
  let killed = false;
  return {
    url: started.url,
    origin: url.origin,
    token,
    root: options.root,
    socketPath: started.socketPath,
    port: Number(url.port),
    get killed() {
      return killed;
    },
    log: () => lines.join('\n'),
    kill: async () => {
      killed = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const killed = new Promise<null>((resolve) => {
          timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve(null);
          }, STOP_TIMEOUT_MS);
        });
        const code = await Promise.race([exited, killed]);
        clearTimeout(timer);
        return code;
      })();
      return stopping;
    },
  };
}

// ---- the device's files -----------------------------------------------------------------------

export async function readIdentity(root: string): Promise<{ deviceId: string; publicKey: string }> {
  return JSON.parse(await readFile(join(root, 'persist', 'identity', 'identity.json'), 'utf8')) as { deviceId: string; publicKey: string };
}

export async function readBuildInfo(): Promise<{ version: string; commit: string }> {
  return JSON.parse(await readFile(join(DIST, 'build-info.json'), 'utf8')) as { version: string; commit: string };
}

/** Holds ("1") or releases ("0") the simulated recovery button: the GPIO line read at boot. */
export async function setRecoveryButton(root: string, held: boolean): Promise<void> {
  const path = join(root, 'gpio', 'recovery-button', 'value');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, held ? '1\n' : '0\n');
}

// ---- the UI -----------------------------------------------------------------------------------

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opens the UI headsetd printed and waits until it is connected and shows a mode's screen. */
export async function openUi(page: Page, headsetd: Headsetd): Promise<Response> {
  const response = await page.goto(headsetd.url);
  if (!response) throw new Error(`no response for ${headsetd.origin}`);
  await expect(page.locator('[data-mode]')).toBeVisible();
  return response;
}

/** Goes through the first-run wizard with the pointer, from its first step to the settings shell. */
export async function completeSetup(page: Page): Promise<void> {
  await expect(page.locator('[data-mode="setup"]')).toBeVisible();
  // Language and formats: the one preselected.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Skip for now' }).click();
  // The wearer: no name, no PIN.
  await page.getByRole('button', { name: 'Skip name and PIN' }).click();
  await page.getByRole('button', { name: 'Start fresh' }).click();
  // The privacy step: the defaults (only essential on).
  await page.getByRole('button', { name: 'Save and continue' }).click();
  // No licence now, no update check (each Skip by its own id: the two steps' buttons share a name).
  await page.getByTestId('setup-license-skip').click();
  await page.getByTestId('setup-update-skip').click();
  await page.getByRole('button', { name: 'Finish setup' }).click();
  await expect(page.locator('[data-mode="settings"]')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('button', { name: 'Home' })).toHaveAttribute('aria-current', 'page');
}

/**
 * Enter alone through the setup wizard up to `step` (its `data-step`), or through Finish when none is
 * named: each step's focused control goes on (Continue, the name field, Skip for now, Start fresh,
 * Save and continue, Skip, Finish setup).
 */
export async function enterThroughSetup(page: Page, step?: string): Promise<void> {
  // Where the wizard is, read at once: settings, or the step and its heading (the PIN follows the name in one step).
  const where = () =>
    page.evaluate(() => {
      const doc = (globalThis as unknown as BrowserGlobals).document;
      if (doc.querySelectorAll('[data-mode="settings"]').length > 0) return 'settings';
      return `${doc.querySelectorAll('main.wizard')[0]?.getAttribute('data-step')}|${doc.querySelectorAll('h1')[0]?.textContent}`;
    });
  for (let i = 0; i < 12; i++) {
    const before = await where();
    if (before === 'settings' || (step && before.startsWith(`${step}|`))) break;
    await page.keyboard.press('Enter');
    await expect.poll(where).not.toBe(before);
  }
  if (step) await expect(page.locator('main.wizard')).toHaveAttribute('data-step', step);
  else await expect(page.locator('[data-mode="settings"]')).toBeVisible();
}

/** Waits until Home shows live data: connected, the device id, and every health value. */
export async function waitForLiveHome(page: Page): Promise<void> {
  await expect(page.getByTestId('connection')).toHaveText('Live');
  await expect(page.getByTestId('device-id')).toHaveText(UUID);
  await expect(page.getByTestId('health-cpu')).toHaveAttribute('aria-valuetext', /^\d+ %$/);
  await expect(page.getByTestId('health-temperature')).toHaveAttribute('aria-valuetext', /^\d+\.\d °C$/);
  await expect(page.getByTestId('health-memory')).toHaveAttribute('aria-valuetext', /^[\d.]+ [KMGT]?B of [\d.]+ [KMGT]?B$/);
  await expect(page.getByTestId('health-disk')).toHaveAttribute('aria-valuetext', /^[\d.]+ [KMGT]?B of [\d.]+ [KMGT]?B$/);
}

// ---- fixtures ---------------------------------------------------------------------------------

interface HeadsetFixtures {
  /** The mode `headsetd` forces on its first boot; unset lets the device decide (a fresh one: setup). */
  mode: Mode | undefined;
  /** A fresh simulated device folder for this test, removed afterwards. */
  headsetRoot: string;
  /** Starts another headsetd (default: on `headsetRoot`); each one is stopped after the test. */
  launchHeadsetd: (options?: Partial<HeadsetdOptions>) => Promise<Headsetd>;
  /** headsetd on `headsetRoot` in `mode`, with the web UI. */
  headsetd: Headsetd;
}

export const test = base.extend<HeadsetFixtures>({
  mode: [undefined, { option: true }],

  // eslint-disable-next-line no-empty-pattern
  headsetRoot: async ({}, use) => {
    const root = await mkdtemp(join(tmpdir(), 'headset-e2e-'));
    await use(root);
    await rm(root, { recursive: true, force: true });
  },

  launchHeadsetd: async ({ headsetRoot }, use, testInfo) => {
    const running: Headsetd[] = [];
    await use(async (options) => {
      const headsetd = await startHeadsetd({ root: headsetRoot, ...options });
      running.push(headsetd);
      return headsetd;
    });
    const stopped = running.filter((h) => !h.killed);
    const codes = await Promise.all(stopped.map((h) => h.stop()));
    if (testInfo.status !== testInfo.expectedStatus) {
      for (const [i, h] of running.entries()) await testInfo.attach(`headsetd-${i + 1}.log`, { body: h.log(), contentType: 'text/plain' });
    }
    // A clean SIGTERM shutdown is part of the contract (systemd stops it the same way).
    expect(codes, 'headsetd exit codes after SIGTERM').toEqual(stopped.map(() => 0));
  },

  headsetd: async ({ launchHeadsetd, mode }, use) => {
    await use(await launchHeadsetd({ mode }));
  },
});
