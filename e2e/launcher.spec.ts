import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DIST, REPO_ROOT, expect, test, waitForLiveHome } from './fixtures.js';

/**
 * `npm start` (dist/start.mjs) keeps the UI when headsetd ends unexpectedly: it starts headsetd
 * again on the same port, root and token, and the open page comes back by itself. Ctrl-C still
 * stops everything.
 */
const START = join(DIST, 'start.mjs');

/** The processes whose parent is `pid` (from /proc: the launcher does not say its first child's id). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('the launcher starts headsetd again when it is killed, and the open page comes back by itself', async ({ page }) => {
  test.setTimeout(90_000);
  expect(existsSync(START), `${START} is missing: run \`npm run build\` first`).toBe(true);
  const root = await mkdtemp(join(tmpdir(), 'headset-launcher-'));
  const lines: string[] = [];
  let launcher: ChildProcess | undefined;
  try {
    launcher = spawn(process.execPath, [START, '--no-open', '--port', '0', '--root', root, '--mode', 'settings'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => launcher!.once('exit', (code) => resolve(code)));
    createInterface({ input: launcher.stdout! }).on('line', (line) => lines.push(line));
    const lineMatching = (pattern: RegExp) =>
      expect
        .poll(() => lines.map((l) => pattern.exec(l)).find(Boolean)?.[1], { timeout: 30_000, message: `a line matching ${pattern}` })
        .toBeDefined()
        .then(() => lines.map((l) => pattern.exec(l)).find(Boolean)![1]!);

    const url = await lineMatching(/^Open the UI at (\S+)$/);
    const token = new URLSearchParams(new URL(url).hash.slice(1)).get('token')!;
    const [first] = childrenOf(launcher.pid!);
    expect(first).toBeDefined();
    expect(readFileSync(`/proc/${first}/cmdline`, 'utf8')).toContain('headsetd.mjs');
    await page.goto(url);
    await waitForLiveHome(page);
    const nav = page.getByRole('navigation', { name: 'Settings' });
    await nav.getByRole('button', { name: 'Privacy' }).click();

    process.kill(first!, 'SIGKILL');
    await expect(page.getByRole('alertdialog', { name: 'Not connected to the headset' })).toBeVisible();
    await lineMatching(/^headsetd ended unexpectedly \((SIGKILL)\)/);
    const second = Number(await lineMatching(/^headsetd is running again \(pid (\d+)\)/));
    expect(second).not.toBe(first);
    expect(childrenOf(launcher.pid!)).toEqual([second]);
    // The token the page holds is the one the new headsetd serves, handed over off its command line.
    expect(readFileSync(`/proc/${second}/cmdline`, 'utf8')).not.toContain(token);

    // Back by itself, nothing pressed: the same screen, live.
    await expect(page.getByRole('alertdialog')).toBeHidden({ timeout: 20_000 });
    await expect(page.getByTestId('connection')).toHaveText('Live');
    await expect(nav.getByRole('button', { name: 'Privacy' })).toHaveAttribute('aria-current', 'page');

    // Ctrl-C: the launcher stops headsetd and ends cleanly, without starting another.
    launcher.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(alive(second)).toBe(false);
    expect(lines.filter((l) => l.startsWith('headsetd is running again'))).toHaveLength(1);
  } finally {
    if (launcher && launcher.exitCode === null && launcher.signalCode === null) {
      for (const child of childrenOf(launcher.pid!)) process.kill(child, 'SIGKILL');
      launcher.kill('SIGKILL');
    }
    await rm(root, { recursive: true, force: true });
  }
});
