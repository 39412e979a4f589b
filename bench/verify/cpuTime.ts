import { loadavg } from 'node:os';
import { cpuOfCommand, median, round, timeCommand } from '../update/measure.js';

/** Wall and CPU time (user + system, every thread) of one run. */
export interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** CPU time this process has used so far (every thread: libuv's pool too), in milliseconds. */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Wall and CPU time of `fn` run in this process (nothing else runs in it meanwhile). */
export async function timeInProcess(fn: () => Promise<unknown>): Promise<Timing> {
  const cpu = processCpuMs();
  const start = process.hrtime.bigint();
  await fn();
  return { wallMs: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: processCpuMs() - cpu };
}

/**
 * One command's wall time, then its CPU time in a second run (bash `times` counts only children
 * that ended, so the two cannot come from one run without a shell's start in the wall time).
 */
export async function timeCommandWithCpu(command: string, args: readonly string[]): Promise<Timing> {
  const wallMs = await timeCommand(command, args);
  const cpuMs = await cpuOfCommand(command, args);
  return { wallMs, cpuMs };
}

/**
 * Runs ours and theirs alternately, each once first unmeasured (page cache and disk warm), so that
 * the machine's load moves both of a pair alike.
 */
export async function timingPairs(runs: number, ours: () => Promise<Timing>, theirs: () => Promise<Timing>) {
  await ours();
  await theirs();
  const pairs: { ours: Timing; theirs: Timing }[] = [];
  for (let run = 0; run < runs; run++) pairs.push({ ours: await ours(), theirs: await theirs() });
  return {
    ours: pairs.map((p) => p.ours),
    theirs: pairs.map((p) => p.theirs),
    /** Per pair: theirs / ours, i.e. ours' throughput relative to theirs (> 1: ours is faster). */
    wallRatios: pairs.map((p) => p.theirs.wallMs / p.ours.wallMs),
    cpuRatios: pairs.map((p) => p.theirs.cpuMs / p.ours.cpuMs),
  };
}

export const medianOf = (timings: Timing[], key: keyof Timing) => median(timings.map((t) => t[key]));

/** The 1-minute load average, rounded: printed beside every figure (other agents share the machine). */
export function loadAverage(): number {
  return round(loadavg()[0]!, 1);
}
