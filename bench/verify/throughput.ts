import { join } from 'node:path';
import { BundleReader } from '../../main/services/update/BundleReader.js';
import type { TrustedKey } from '../../src/update/verify.js';
import type { BenchResult } from '../harness.js';
import { MiB, median, round, spread, timeCommand } from '../update/measure.js';
import { type Timing, loadAverage, medianOf, timeCommandWithCpu, timeInProcess, timingPairs } from './cpuTime.js';

const IN_PROCESS_RUNS = 5;
const CLI_RUNS = 5;

/**
 * Verifying a bundle against `openssl dgst -sha256` of the same file: the strongest tool for the
 * same work (OpenSSL's SHA-256 with SHA-NI where the CPU has it, the code Node's crypto runs), page
 * cache warm, pair by pair. Two figures each: wall throughput (the goal), and CPU time per byte.
 * Under load the wall ratio flatters us: our reads run on libuv's pool while the main thread
 * hashes, so we get two cores' share where openssl, reading then hashing in turn, gets one. CPU per
 * byte is what the same work costs, whatever the load. `sha256sum` (coreutils, no SHA-NI) is
 * informative.
 */
export async function benchVerifyThroughput(
  distDir: string,
  bundle: string,
  length: number,
  trusted: readonly TrustedKey[],
  trustedKeyFile: string,
): Promise<BenchResult[]> {
  const openssl = () => timeCommandWithCpu('openssl', ['dgst', '-sha256', bundle]);
  const inProcess = await timingPairs(
    IN_PROCESS_RUNS,
    () =>
      timeInProcess(async () => {
        const reader = await BundleReader.open(bundle, { trusted });
        await reader.verify();
        if (!reader.fullyVerified) throw new Error('the bundle was not fully verified');
      }),
    openssl,
  );
  const headsetctl = join(distDir, 'headsetctl.mjs');
  const cli = await timingPairs(
    CLI_RUNS,
    () => timeCommandWithCpu(process.execPath, [headsetctl, 'bundle', 'verify', bundle, '--trust', trustedKeyFile]),
    openssl,
  );
  const sha256sumMs = median([await timeCommand('sha256sum', [bundle]), await timeCommand('sha256sum', [bundle])]);
  const what = `${round(length / MiB / 1024, 2)} GiB bundle`;
  return [
    ...rows(`Verify a ${what} in process (signature + payload SHA-256, not deep)`, inProcess, IN_PROCESS_RUNS, length),
    ...rows(`\`headsetctl bundle verify\` of a ${what} (the whole command, Node’s start included)`, cli, CLI_RUNS, length),
  ].map((row, index) => (index === 0 ? { ...row, details: { ...row.details, sha256sumMs: Math.round(sha256sumMs) } } : row));
}

function rows(
  name: string,
  measured: { ours: Timing[]; theirs: Timing[]; wallRatios: number[]; cpuRatios: number[] },
  runs: number,
  length: number,
): BenchResult[] {
  const wallRatio = median(measured.wallRatios);
  const cpuRatio = median(measured.cpuRatios);
  const nsPerByte = (ms: number) => round((ms * 1e6) / length, 3);
  const load = loadAverage();
  const oursCpu = medianOf(measured.ours, 'cpuMs');
  const opensslCpu = medianOf(measured.theirs, 'cpuMs');
  return [
    {
      name: `${name} vs \`openssl dgst -sha256\` of the same file, wall`,
      metric: `throughput ratio ours/theirs (wall), median of ${runs} pairs`,
      value: round(wallRatio, 3),
      unit: '×',
      goal: '≥ 0.95×',
      met: wallRatio >= 0.95,
      details: {
        loadAverage1m: load,
        ratioSpread: spread(measured.wallRatios),
        oursMs: Math.round(medianOf(measured.ours, 'wallMs')),
        opensslMs: Math.round(medianOf(measured.theirs, 'wallMs')),
        oursMiBps: Math.round(length / MiB / (medianOf(measured.ours, 'wallMs') / 1000)),
        opensslMiBps: Math.round(length / MiB / (medianOf(measured.theirs, 'wallMs') / 1000)),
      },
    },
    {
      name: `${name} vs \`openssl dgst -sha256\` of the same file, CPU`,
      metric: `bytes per CPU second (user+sys, every thread) ratio ours/theirs, median of ${runs} pairs`,
      value: round(cpuRatio, 3),
      unit: '×',
      goal: '≥ 0.95× (the wall goal, per CPU second)',
      met: cpuRatio >= 0.95,
      details: {
        loadAverage1m: load,
        ratioSpread: spread(measured.cpuRatios),
        oursCpuMs: Math.round(oursCpu),
        opensslCpuMs: Math.round(opensslCpu),
        oursCpuNsPerByte: nsPerByte(oursCpu),
        opensslCpuNsPerByte: nsPerByte(opensslCpu),
      },
    },
  ];
}
