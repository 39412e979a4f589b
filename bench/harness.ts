import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface BenchResult {
  name: string;
  /** What was measured, in the units of `value`. */
  metric: string;
  value: number;
  unit: string;
  goal: string;
  met: boolean;
  details?: Record<string, number | string>;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface RunningHeadsetd {
  url: string;
  origin: string;
  token: string;
  root: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the built headsetd on a fresh simulated device with the web host on a free port. */
export async function startHeadsetd(distDir: string, extraArgs: string[] = [], options: { cpu?: number } = {}): Promise<RunningHeadsetd> {
  const root = mkdtempSync(join(tmpdir(), 'bench-headset-'));
  const child = spawnOnCpu(options.cpu, process.execPath, [
    join(distDir, 'headsetd.mjs'),
    '--root',
    root,
    '--web',
    '--port',
    '0',
    '--url-fd',
    '3',
    ...extraArgs,
  ]);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('headsetd did not start within 20 s')), 20_000);
    createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
      const match = /^Headset Control UI: (\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`headsetd exited with ${code}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: new URLSearchParams(parsed.hash.slice(1)).get('token')!,
    root,
    process: child,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Loopback round trips between two processes on one core skip a cross-core wake-up and run several
 * times faster: a comparison pins both servers to the same core and the client to another.
 */
export function spawnOnCpu(cpu: number | undefined, command: string, args: string[]): ChildProcess {
  const pinned = cpu !== undefined && hasTaskset();
  // Descriptor 3: headsetd's --url-fd (its address with the access token).
  return spawn(pinned ? 'taskset' : command, pinned ? ['-c', String(cpu), command, ...args] : args, { stdio: ['ignore', 'pipe', 'inherit', 'pipe'] });
}

/** Pins this process (all its threads) to `cpu`; returns a function that undoes it. */
export function pinSelf(cpu: number): () => void {
  if (!hasTaskset() || cpus().length < 2) return () => undefined;
  const all = `0-${cpus().length - 1}`;
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
  return () => execFileSync('taskset', ['-a', '-p', '-c', all, String(process.pid)], { stdio: 'ignore' });
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
