import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBundle } from '../../main/operator/bundles/BundleWriter.js';
import { generateKeys, loadSigningKey } from '../../main/operator/keys/signingKeys.js';
import { loadTrustedKey } from '../../main/services/update/trustedKeys.js';
import type { BenchResult } from '../harness.js';
import { benchDelta, benchDeltaSize } from './delta.js';
import { benchDownload } from './download.js';
import { IMAGE_SIZE, buildImagePair, buildVersionMovePair } from './images.js';
import { MiB, round } from './measure.js';
import { benchUpToDateCheck } from './tufCheck.js';
import { benchInstall } from './verifyAndInstall.js';

/**
 * The `update` suite: system updates on realistic images (bench/update/images.ts), each figure a
 * ratio against a reference tool measured in the same run. Everything lives in one temporary
 * folder under the OS temporary folder, removed at the end.
 */
export async function benchUpdate(): Promise<BenchResult[]> {
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const log = (line: string) => console.log(`  update [${Math.round((performance.now() - started) / 1000)} s] ${line}`);
  const work = mkdtempSync(join(tmpdir(), 'bench-update-'));
  try {
    const pair = buildImagePair(work);
    log(
      `images: ${pair.files} files, ${round(pair.bytes / MiB, 1)} MiB in ${IMAGE_SIZE / MiB} MiB ext4; v2 changes ${pair.changed.length} files, adds ${pair.added.path}`,
    );

    const keysDir = join(work, 'keys');
    await generateKeys(keysDir);
    const key = await loadSigningKey(join(keysDir, 'bundle.key'));
    const trusted = [await loadTrustedKey(join(keysDir, 'bundle.pub'))];
    try {
      const bundle = (version: string, image: string) => {
        const out = join(work, `headset-${version}.hcb`);
        return createBundle({
          version,
          compatible: 'HC-1',
          images: [{ name: 'rootfs', path: image }],
          key,
          out,
          notes: `Headset OS ${version}\n`,
        }).then(() => out);
      };
      const oldBundle = await bundle('1.0.0', pair.v1);
      const newBundle = await bundle('1.0.1', pair.v2);
      log(`full bundles: ${round(statSync(oldBundle).size / MiB, 1)} and ${round(statSync(newBundle).size / MiB, 1)} MiB (zstd -3)`);

      const results: BenchResult[] = [];
      // Verify and headsetctl's start: the verify suite (bench/verify/).
      results.push(...(await benchInstall(work, newBundle, trusted)));
      log('install done');
      const delta = await benchDelta({ work, oldImage: pair.v1, newImage: pair.v2, oldBundle, newBundle, key, trusted }, log);
      results.push(...delta.results);
      log('delta done');
      // The second pair: many libraries moved a version (size only).
      const moves = buildVersionMovePair(work);
      log(`second pair: ${moves.rebuilt} libraries rebuilt under a new version, ${moves.moved} moved, ${moves.removed} removed`);
      const movesFrom = await bundle('2.0.0', moves.v1);
      const movesTo = await bundle('2.1.0', moves.v2);
      results.push(
        await benchDeltaSize(
          {
            work,
            oldImage: moves.v1,
            newImage: moves.v2,
            oldBundle: movesFrom,
            newBundle: movesTo,
            key,
            trusted,
            label: 'libraries moved a version',
          },
          log,
        ),
      );
      for (const path of [moves.v1, moves.v2, movesFrom, movesTo]) rmSync(path, { force: true });
      log('second pair done');
      results.push(...(await benchDownload(work, newBundle)));
      log('download done');
      results.push(...(await benchUpToDateCheck(work, keysDir, [[oldBundle], [newBundle, delta.deltaBundle]])));
      log('up-to-date check done');
      const imageDetails = {
        imageMiB: IMAGE_SIZE / MiB,
        files: pair.files,
        contentMiB: round(pair.bytes / MiB, 1),
        changedFiles: pair.changed.length,
        changedBytes: pair.changed.reduce((sum, c) => sum + c.patchedBytes + c.appendedBytes, 0),
        addedFileBytes: pair.added.bytes,
        changed: pair.changed.map((c) => `${c.path} (+${c.appendedBytes} B, ${c.patchedBytes} B patched)`).join('; '),
        added: pair.added.path,
        mkfs: `mkfs.ext4 ${pair.mkfsOptions}`,
        suiteSeconds: Math.round((performance.now() - started) / 1000),
        // Other work on the machine slows the pipelined reference tools less than our serial code.
        loadAverage1mAtStart: round(loadAtStart),
        loadAverage1mAtEnd: round(loadavg()[0]!),
      };
      // The images every figure was measured on, in the JSON.
      results[0] = { ...results[0]!, details: { ...results[0]!.details, ...prefixed('images.', imageDetails) } };
      return results;
    } finally {
      key.dispose();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function prefixed(prefix: string, values: Record<string, number | string>): Record<string, number | string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
}
