import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// headsetd's stdout is the journal on a device (read by group adm): the web host's access token
// must reach the launcher, never a log.
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const buildDir = mkdtempSync(join(repo, 'node_modules', '.cache-ui-address-test-'));
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

/** Runs headsetd --web until it announces its UI; returns its stdout and what came on descriptor 3. */
async function announce(extra: string[], tokenOnFd4?: string): Promise<{ stdout: string[]; fd3: string[]; root: string; cmdline: string }> {
  const root = mkdtempSync(join(tmpdir(), 'ui-address-'));
  roots.push(root);
  const child = spawn(process.execPath, [headsetd, '--root', root, '--web', '--port', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'inherit', 'pipe', tokenOnFd4 === undefined ? 'ignore' : 'pipe'],
  });
  if (tokenOnFd4 !== undefined) (child.stdio[4] as Writable).end(tokenOnFd4);
  // What every process on the machine can read about it.
  const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
  const stdout: string[] = [];
  const fd3: string[] = [];
  createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => fd3.push(line));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('headsetd announced no UI within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`headsetd exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(line);
      if (line.startsWith('Headset Control UI:')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return { stdout, fd3, root, cmdline };
}

/** Runs headsetd with these arguments and descriptor 4 fed `fd4` (or closed); resolves to its exit code and stderr. */
async function refused(args: string[], fd4?: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [headsetd, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ignore', fd4 === undefined ? 'ignore' : 'pipe'] });
  // headsetd may refuse its arguments before it reads the pipe: a reset pipe is expected then.
  if (fd4 !== undefined) (child.stdio[4] as Writable).on('error', () => undefined).end(fd4);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}

const TOKEN = /token=([0-9a-f]{64})/;

describe('headsetd announcing its web UI', () => {
  it('with --url-fd: the address with its token goes to that descriptor only, never stdout or the log', async () => {
    const { stdout, fd3, root } = await announce(['--url-fd', '3']);
    const token = TOKEN.exec(fd3.join('\n'))?.[1];
    expect(token).toBeDefined();
    expect(fd3[0]).toMatch(/^Headset Control UI: http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
    expect(stdout.join('\n')).not.toContain(token!);
    expect(stdout.find((l) => l.startsWith('Headset Control UI:'))).toMatch(
      /^Headset Control UI: http:\/\/127\.0\.0\.1:\d+\/ \(its access token went to descriptor 3\)$/,
    );
    const logs = join(root, 'data', 'logs');
    for (const name of readdirSync(logs).filter((n) => n.endsWith('.log'))) expect(readFileSync(join(logs, name), 'utf8')).not.toContain(token!);
  });

  it('without it, a stdout that is not a terminal gets the address without the token', async () => {
    const { stdout, fd3 } = await announce([]);
    expect(fd3).toEqual([]);
    expect(stdout.join('\n')).not.toMatch(TOKEN);
    expect(stdout.find((l) => l.startsWith('Headset Control UI:'))).toContain('start with --url-fd N to receive it');
  });

  it('refuses a descriptor that is not an inherited one', async () => {
    const child = spawn(process.execPath, [headsetd, '--web', '--url-fd', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('--url-fd must be an inherited descriptor');
  });

  it('with --token-fd: serves the token the launcher handed over (so a restart keeps the page working), never on argv or stdout', async () => {
    const given = 'c0ffee'.repeat(10) + 'abcd';
    const { stdout, fd3, root, cmdline } = await announce(['--url-fd', '3', '--token-fd', '4'], `${given}\n`);
    expect(fd3[0]).toMatch(new RegExp(`^Headset Control UI: http://127\\.0\\.0\\.1:\\d+/#token=${given}$`));
    expect(cmdline).not.toContain(given);
    expect(stdout.join('\n')).not.toContain(given);
    const logs = join(root, 'data', 'logs');
    for (const name of readdirSync(logs).filter((n) => n.endsWith('.log'))) expect(readFileSync(join(logs, name), 'utf8')).not.toContain(given);
  });

  it('refuses a token that is not 64 hex digits without quoting it, a --token-fd without --web, and a descriptor it did not inherit', async () => {
    const wrong = 'not-a-token-but-maybe-a-secret-4711';
    const bad = await refused(['--web', '--port', '0', '--token-fd', '4'], wrong);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--token-fd 4: the token must be 64 hex digits');
    expect(bad.stderr).not.toContain(wrong);
    const noWeb = await refused(['--token-fd', '4'], 'ab'.repeat(32));
    expect(noWeb.code).toBe(2);
    expect(noWeb.stderr).toContain('--token-fd is the web host');
    const notInherited = await refused(['--web', '--port', '0', '--token-fd', '200']);
    expect(notInherited.code).toBe(2);
    expect(notInherited.stderr).toContain('--token-fd 200: could not read the token (EBADF)');
    const low = await refused(['--web', '--token-fd', '0']);
    expect(low.stderr).toContain('--token-fd must be an inherited descriptor');
  });
});
