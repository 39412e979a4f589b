import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createBundle } from '../../main/operator/bundles/BundleWriter.js';
import type { SigningKey } from '../../main/operator/keys/signingKeys.js';
import type { BenchResult } from '../harness.js';
import { MiB, cpuOfCommand, median, pairs, round, spread, timeCommand } from './measure.js';

/** The bundle size the issue names for the CLI figure: large enough that start-up is a small part. */
const BIG_BUNDLE = 1024 * MiB;
const VERIFY_RUNS = 5;
const START_RUNS = 15;
/** `headsetctl --help` may take this long at most (Node's own start included). */
const START_GOAL_MS = 150;

/**
 * `headsetctl bundle verify` of a 1 GiB bundle, the whole command as an operator runs it (Node's
 * start, loading, signature, every payload byte hashed), against `openssl dgst -sha256` of the same
 * file (OpenSSL's SHA-256 with SHA-NI where the CPU has it, the same code Node's crypto runs):
 * throughput ratio. `sha256sum` (coreutils, no SHA-NI) is informative. Page cache warm for all.
 */
export async function benchCliVerify(distDir: string, work: string, key: SigningKey, trustedKeyFile: string): Promise<BenchResult[]> {
  const bundle = await makeBigBundle(work, key);
  try {
    const headsetctl = join(distDir, 'headsetctl.mjs');
    const ours = () => timeCommand(process.execPath, [headsetctl, 'bundle', 'verify', bundle, '--trust', trustedKeyFile]);
    const openssl = () => timeCommand('openssl', ['dgst', '-sha256', bundle]);
    const sha256sum = () => timeCommand('sha256sum', [bundle]);
    const { oursMs, theirsMs, ratios } = await pairs(VERIFY_RUNS, ours, openssl);
    const sumMs = [await sha256sum(), await sha256sum()];
    // CPU time, hardly moved by other load: ours is spread over two threads (hashing, and the next
    // read on libuv's pool), openssl's is one thread reading then hashing in turn.
    const cpu = { ours: [] as number[], openssl: [] as number[] };
    for (let run = 0; run < 3; run++) {
      cpu.ours.push(await cpuOfCommand(process.execPath, [headsetctl, 'bundle', 'verify', bundle, '--trust', trustedKeyFile]));
      cpu.openssl.push(await cpuOfCommand('openssl', ['dgst', '-sha256', bundle]));
    }
    const ratio = median(ratios);
    const length = statSync(bundle).size;
    return [
      {
        name: '`headsetctl bundle verify` of a 1 GiB bundle (the whole command) vs `openssl dgst -sha256` of the same file',
        metric: `throughput ratio ours/theirs, median of ${VERIFY_RUNS} pairs`,
        value: round(ratio, 3),
        unit: '×',
        goal: '≥ 0.95×',
        met: ratio >= 0.95,
        details: {
          bundleMiB: round(length / MiB, 1),
          ratioSpread: spread(ratios),
          oursMs: Math.round(median(oursMs)),
          opensslMs: Math.round(median(theirsMs)),
          oursRuns: oursMs.map(Math.round).join(' '),
          opensslRuns: theirsMs.map(Math.round).join(' '),
          oursCpuMs: median(cpu.ours),
          opensslCpuMs: median(cpu.openssl),
          oursMiBps: Math.round(length / MiB / (median(oursMs) / 1000)),
          opensslMiBps: Math.round(length / MiB / (median(theirsMs) / 1000)),
          // Informative: coreutils' SHA-256, without SHA-NI.
          sha256sumMs: Math.round(median(sumMs)),
          ratioVsSha256sum: round(median(sumMs) / median(oursMs), 2),
        },
      },
    ];
  } finally {
    rmSync(bundle, { force: true });
  }
}

/**
 * How long `headsetctl --help` takes, Node's start included, against `node -e 0` (Node's start
 * alone): the ratio says what headsetctl adds, the absolute figure is what an operator waits.
 * The start of `bundle verify` on a 1 MiB bundle (what loading zod, libsodium and the reader costs)
 * is in the details.
 */
export async function benchCliStart(distDir: string, work: string, key: SigningKey, trustedKeyFile: string): Promise<BenchResult[]> {
  const headsetctl = join(distDir, 'headsetctl.mjs');
  const helpArgs = [headsetctl, '--help'];
  const nodeArgs = ['-e', '0'];
  const { oursMs, theirsMs, ratios } = await pairs(
    START_RUNS,
    () => timeCommand(process.execPath, helpArgs),
    () => timeCommand(process.execPath, nodeArgs),
  );
  const small = await makeBundle(work, key, 'small', MiB, 3);
  const verifyArgs = [headsetctl, 'bundle', 'verify', small, '--trust', trustedKeyFile];
  const verifyPairs = await pairs(
    START_RUNS,
    () => timeCommand(process.execPath, verifyArgs),
    () => timeCommand(process.execPath, nodeArgs),
  );
  const cpu = { help: [] as number[], node: [] as number[], verify: [] as number[] };
  for (let run = 0; run < START_RUNS; run++) {
    cpu.help.push(await cpuOfCommand(process.execPath, helpArgs));
    cpu.node.push(await cpuOfCommand(process.execPath, nodeArgs));
    cpu.verify.push(await cpuOfCommand(process.execPath, verifyArgs));
  }
  rmSync(small, { force: true });
  const startRatios = ratios.map((r) => 1 / r);
  const ratio = median(startRatios);
  // Start-up is what other work on a loaded machine disturbs most: the least disturbed run.
  const helpMs = Math.min(...oursMs);
  return [
    {
      name: '`headsetctl --help` start vs `node -e 0` (Node’s own start)',
      metric: `time ratio ours/theirs, median of ${START_RUNS} pairs`,
      value: round(ratio, 2),
      unit: '×',
      goal: '≤ 1.5× (headsetctl adds at most half of Node’s start)',
      met: ratio <= 1.5,
      details: {
        ratioSpread: spread(startRatios, 2),
        helpMs: Math.round(median(oursMs)),
        nodeMs: Math.round(median(theirsMs)),
        helpCpuMs: median(cpu.help),
        nodeCpuMs: median(cpu.node),
      },
    },
    {
      name: '`headsetctl --help`, Node’s start included',
      metric: `wall time, fastest of ${START_RUNS} (median in details)`,
      value: Math.round(helpMs),
      unit: 'ms',
      goal: `≤ ${START_GOAL_MS} ms`,
      met: helpMs <= START_GOAL_MS,
      details: {
        helpMedianMs: Math.round(median(oursMs)),
        helpRuns: spread(oursMs, 0),
        nodeRuns: spread(theirsMs, 0),
        // What `bundle verify` loads and checks before and around its first payload byte (1 MiB bundle).
        verifySmallMs: Math.round(median(verifyPairs.oursMs)),
        verifySmallVsNode: round(median(verifyPairs.oursMs) / median(verifyPairs.theirsMs), 2),
        verifySmallCpuMs: median(cpu.verify),
      },
    },
  ];
}

/** A 1 GiB bundle of one incompressible image (zstd level 1 stores it nearly as is). */
function makeBigBundle(work: string, key: SigningKey): Promise<string> {
  return makeBundle(work, key, 'big', BIG_BUNDLE, 1);
}

async function makeBundle(work: string, key: SigningKey, name: string, bytes: number, level: number): Promise<string> {
  const image = join(work, `${name}-random.img`);
  const fd = openSync(image, 'w');
  try {
    const block = Buffer.allocUnsafe(8 * MiB);
    for (let written = 0; written < bytes; written += block.length) writeSync(fd, randomFillSync(block), 0, Math.min(block.length, bytes - written));
  } finally {
    closeSync(fd);
  }
  const out = join(work, `${name}.hcb`);
  try {
    await createBundle({
      version: '9.9.9',
      compatible: 'HC-1',
      images: [{ name: 'rootfs', path: image }],
      key,
      out,
      notes: '',
      compressionLevel: level,
    });
  } finally {
    rmSync(image, { force: true });
  }
  return out;
}
