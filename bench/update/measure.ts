import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';

/** Wall time of `fn` in milliseconds. */
export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs `script` with bash -o pipefail; resolves with its wall time and stdout, rejects on a non-zero exit. */
export function timeShell(script: string, env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('bash', ['-o', 'pipefail', '-c', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`\`${script}\` exited with ${code}: ${stderr.trim().slice(0, 2000)}`));
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Writes back every dirty page, so that one run's writeback does not land in the next run's time. */
export function flushDirtyPages(): void {
  execFileSync('sync');
}

/** Shell quoting for paths put into a bash script. */
export function sh(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export const MiB = 1024 * 1024;

/** Wall time of one command, run directly (no shell, whose own start would count); rejects on a failure. */
export function timeCommand(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim().slice(0, 2000)}`));
    });
  });
}

/**
 * Runs `ours` and `theirs` alternately (each once first, unmeasured: page cache and disk warm), and
 * compares them run by run: the machine's load moves both of a pair alike.
 */
export async function pairs(runs: number, ours: () => Promise<number>, theirs: () => Promise<number>) {
  await ours();
  await theirs();
  const oursMs: number[] = [];
  const theirsMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    oursMs.push(await ours());
    theirsMs.push(await theirs());
  }
  /** Per pair: their time / ours (a throughput ratio, ours / theirs). */
  const ratios = oursMs.map((ms, i) => theirsMs[i]! / ms);
  return { oursMs, theirsMs, ratios };
}

export const spread = (values: number[], digits = 3) => `${round(Math.min(...values), digits)}–${round(Math.max(...values), digits)}`;

/**
 * CPU time (user + system, ms) of one command, from bash's `times`: unlike wall time, hardly moved
 * by other work on the machine.
 */
export function cpuOfCommand(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', '"$@" > /dev/null || exit; times', 'bash', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.once('error', reject);
    child.once('close', (code) => {
      // Line 2 of `times`: the children's user and system time, like "0m0.071s 0m0.012s".
      const children = stdout
        .trim()
        .split('\n')[1]
        ?.match(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/);
      if (code !== 0 || !children) return reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      const [, um, us, sm, ss] = children.map(Number);
      resolve(Math.round((um! * 60 + us! + sm! * 60 + ss!) * 1000));
    });
  });
}
