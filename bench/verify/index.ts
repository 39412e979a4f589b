import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBundle } from '../../main/operator/bundles/BundleWriter.js';
import { generateKeys, loadSigningKey, type SigningKey } from '../../main/operator/keys/signingKeys.js';
import { loadTrustedKey } from '../../main/services/update/trustedKeys.js';
import type { BenchResult } from '../harness.js';
import { MiB } from '../update/measure.js';
import { benchCliStart } from './cliStart.js';
import { loadAverage } from './cpuTime.js';
import { benchVerifyThroughput } from './throughput.js';

/** Large enough that Node's start is a small part of the command's time (the size). */
const BIG_BUNDLE = 1024 * MiB;

/**
 * The `verify` suite (issue 17): `headsetctl` start-up against Node's own, and bundle verification
 * against `openssl dgst -sha256`, in process and through the CLI, wall and CPU. Everything lives in
 * one temporary folder, removed at the end.
 */
export async function benchVerify(distDir = builtDistDir()): Promise<BenchResult[]> {
  const log = (line: string) => console.log(`  verify: ${line} (load ${loadAverage()})`);
  const work = mkdtempSync(join(tmpdir(), 'bench-verify-'));
  try {
    const keysDir = join(work, 'keys');
    await generateKeys(keysDir);
    const trustedKeyFile = join(keysDir, 'bundle.pub');
    const trusted = [await loadTrustedKey(trustedKeyFile)];
    const key = await loadSigningKey(join(keysDir, 'bundle.key'));
    let small: string;
    let big: string;
    try {
      small = await makeBundle(work, key, 'small', MiB, 3);
      // One incompressible image: zstd level 1 stores it nearly as is.
      big = await makeBundle(work, key, 'big', BIG_BUNDLE, 1);
    } finally {
      key.dispose();
    }
    log('bundles made');
    const results: BenchResult[] = [];
    results.push(...(await benchCliStart(distDir, small, trustedKeyFile)));
    log('start-up done');
    results.push(...(await benchVerifyThroughput(distDir, big, statSync(big).size, trusted, trustedKeyFile)));
    log('throughput done');
    return results;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
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

/** dist/, where `npm run bench` runs this suite from: this code is bundled into dist/bench/run.mjs. */
function builtDistDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}
