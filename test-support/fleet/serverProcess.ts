import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The fleet server bundled from the sources as `npm run build` does (server.mjs beside migrations/), in a folder of its own. */
export function bundleFleetServer(): { entry: string; remove: () => void } {
  const dir = mkdtempSync(join(repo, 'node_modules', '.cache-fleet-server-'));
  buildSync({
    entryPoints: [join(repo, 'server/main.ts')],
    outfile: join(dir, 'server.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  cpSync(join(repo, 'server/migrations'), join(dir, 'migrations'), { recursive: true });
  return { entry: join(dir, 'server.mjs'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface FleetServerProcess {
  url: string;
  /** The first admin's one-time password, when this process created the admin. */
  oneTimePassword: string | undefined;
  output(): string;
  stop(): Promise<number | null>;
}

const URL_LINE = /^Fleet server: (http:\/\/\S+)/;
const PASSWORD_LINE = /one-time password: ([a-z0-9-]+)/;

/** Starts `node server.mjs ARGS` and waits for its URL line (and the password line that may follow it). */
export function startFleetServerProcess(entry: string, args: string[], timeoutMs = 60_000): Promise<FleetServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [entry, '--port', '0', ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FLEET_LOG_LEVEL: 'warn' },
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push(`[stderr] ${line}`));
  return new Promise((resolve, reject) => {
    let url: string | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The fleet server printed no URL within ${timeoutMs} ms:\n${lines.join('\n')}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`The fleet server exited (${code}) before it was ready:\n${lines.join('\n')}`));
    });
    const done = (oneTimePassword: string | undefined) => {
      clearTimeout(timer);
      resolve({
        url: url!,
        oneTimePassword,
        output: () => lines.join('\n'),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const password = PASSWORD_LINE.exec(line);
      if (url && password) done(password[1]);
      const match = URL_LINE.exec(line);
      if (match) {
        url = match[1];
        // The password line, when there is one, is written right after the URL's.
        setTimeout(() => done(undefined), 300);
      }
    });
  });
}

/** Runs the server's command line to its end (for options that make it stop at once). */
export function runFleetServer(entry: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
