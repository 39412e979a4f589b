import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The README's table of the simulated headset is its manual: a new headset must have every path it
// lists (but those it marks "only ..."), with the contents it says a new one has.
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const buildDir = mkdtempSync(join(repo, 'node_modules', '.cache-simulated-table-test-'));
const headsetd = join(buildDir, 'headsetd.mjs');
const roots: string[] = [];

beforeAll(() => {
  buildSync({
    entryPoints: [join(repo, 'main/host/headsetd.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: headsetd,
    logLevel: 'silent',
  });
});
afterAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

interface TableRow {
  paths: string[];
  text: string;
  /** "only with `--boot uboot`": the arguments that make these paths; "only when…", "only while…": an action does. */
  only?: { args?: string[]; condition: string };
  /** "(new: `X`)": what the factory writes in the row's one file. */
  factoryValue?: string;
}

/** The rows of the table in README's "The simulated headset" section. */
function simulatedHeadsetTable(readme: string): TableRow[] {
  const start = readme.indexOf('\n## The simulated headset\n');
  if (start < 0) throw new Error('README.md has no "## The simulated headset" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const rows: TableRow[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const [pathCell, text] = line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim());
    const paths = [...pathCell!.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
    const row: TableRow = { paths, text: text! };
    const only = /^only (with|when|while) ([^:]+):/.exec(row.text);
    if (only) {
      const args = only[1] === 'with' ? /^`(--[^`]+)`$/.exec(only[2]!.trim())?.[1]?.split(' ') : undefined;
      row.only = { condition: only[2]!, ...(args ? { args } : {}) };
    }
    const value = /\(new: `([^`]*)`\)/.exec(row.text);
    if (value) row.factoryValue = value[1]!;
    rows.push(row);
  }
  return rows;
}

/** Starts headsetd on a new simulated headset, runs `check` once its API socket is up, then stops it. */
async function firstRun(args: string[], check: (root: string) => void): Promise<void> {
  const root = join(mkdtempSync(join(tmpdir(), 'simulated-table-')), 'headset');
  roots.push(dirname(root));
  const child = spawn(process.execPath, [headsetd, '--root', root, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`headsetd opened no API socket within 20 s:\n${output.join('\n')}`)), 20_000);
      child.once('exit', (code) => reject(new Error(`headsetd exited with ${code}:\n${output.join('\n')}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(line);
        if (!line.startsWith('headsetd: API socket ')) return;
        clearTimeout(timer);
        resolve();
      });
    });
    check(root);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
}

/** A path of the table: a trailing slash says it is a folder. */
function expectPath(root: string, path: string): void {
  const full = join(root, path);
  expect(existsSync(full), `${path} exists`).toBe(true);
  if (path.endsWith('/')) expect(statSync(full).isDirectory(), `${path} is a folder`).toBe(true);
}

describe("README's table of the simulated headset", () => {
  const rows = simulatedHeadsetTable(readFileSync(join(repo, 'README.md'), 'utf8'));

  it('is read from the README: a dozen rows and more, each with its paths', () => {
    expect(rows.length).toBeGreaterThanOrEqual(12);
    for (const row of rows) expect(row.paths.length, row.text).toBeGreaterThan(0);
    for (const row of rows) if (row.factoryValue !== undefined) expect(row.paths, `"new:" names one file: ${row.text}`).toHaveLength(1);
  });

  it('a new simulated headset has every path it lists, with the contents a new one has', async () => {
    await firstRun([], (root) => {
      for (const row of rows) {
        if (row.only) continue;
        for (const path of row.paths) expectPath(root, path);
        if (row.factoryValue !== undefined) expect(readFileSync(join(root, row.paths[0]!), 'utf8').trim(), row.paths[0]).toBe(row.factoryValue);
      }
      // A USB stick appears only when plugged in: a new headset has none.
      const usb = rows.find((row) => row.paths.includes('usb/'));
      expect(usb?.only?.condition).toBeDefined();
      expect(existsSync(join(root, 'usb'))).toBe(false);
    });
  });

  it('the paths it lists "only with" an option are made by a first run with that option', async () => {
    const withOption = rows.filter((row) => row.only?.args);
    expect(withOption.length).toBeGreaterThan(0);
    for (const row of withOption) await firstRun(row.only!.args!, (root) => row.paths.forEach((path) => expectPath(root, path)));
  });
});
