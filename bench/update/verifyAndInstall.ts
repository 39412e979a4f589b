import { closeSync, createReadStream, createWriteStream, ftruncateSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BundleReader } from '../../main/services/update/BundleReader.js';
import { writeImageToSlot } from '../../main/services/update/SlotWriter.js';
import type { TrustedKey } from '../../src/update/verify.js';
import type { BenchResult } from '../harness.js';
import { MiB, flushDirtyPages, median, round, sh, timeIt, timeShell } from './measure.js';

/** Writes and fsyncs to a virtual disk vary from run to run: more runs than for hashing. */
const INSTALL_RUNS = 5;
/** A slot partition is larger than the image it holds. */
export const SLOT_SIZE = 192 * MiB;

/**
 * Installing a bundle's image into a slot as the installer does (verified bundle stream, zstd
 * decompression, writes, fsync, read-back SHA-256 of the slot) against `zstd -dc PAYLOAD | dd
 * of=SLOT bs=1M conv=notrunc,fsync` then `head -c N SLOT | sha256sum`, on the same compressed
 * payload (extracted to a file first). Each run writes a fresh sparse slot file of SLOT_SIZE
 * (a partition: larger than the image, never truncated; hence notrunc), after a sync.
 */
export async function benchInstall(work: string, bundle: string, trusted: readonly TrustedKey[]): Promise<BenchResult[]> {
  const { manifest } = await BundleReader.inspect(bundle);
  if (manifest.images.length !== 1) throw new Error('the install benchmark expects a one-image bundle');
  const image = manifest.images[0]!;
  const payload = join(work, 'payload.zst');
  await pipeline(createReadStream(bundle, { start: image.offset, end: image.offset + image.compressed.length - 1 }), createWriteStream(payload));
  const slot = join(work, 'slot-install.img');
  const freshSlot = () => {
    rmSync(slot, { force: true });
    const fd = openSync(slot, 'w');
    ftruncateSync(fd, SLOT_SIZE);
    closeSync(fd);
    flushDirtyPages();
  };
  readFileSync(payload); // into the page cache

  const ours = async () => {
    freshSlot();
    return timeIt(async () => {
      const reader = await BundleReader.open(bundle, { trusted });
      for await (const p of reader.payloads()) await writeImageToSlot(p.image.name, p.decompressed(), slot, p.image.uncompressed);
      if (!reader.fullyVerified) throw new Error('the bundle was not fully verified');
    });
  };
  const script = `zstd -dcq ${sh(payload)} | dd of=${sh(slot)} bs=1M conv=notrunc,fsync status=none && head -c ${image.uncompressed.length} ${sh(slot)} | sha256sum`;
  const theirs = async () => {
    freshSlot();
    const { ms, stdout } = await timeShell(script);
    if (!stdout.startsWith(image.uncompressed.sha256)) throw new Error(`the reference pipeline wrote something else: ${stdout}`);
    return ms;
  };
  await ours();
  await theirs();
  const oursMs: number[] = [];
  const theirsMs: number[] = [];
  for (let run = 0; run < INSTALL_RUNS; run++) {
    oursMs.push(await ours());
    theirsMs.push(await theirs());
  }
  rmSync(slot, { force: true });
  rmSync(payload, { force: true });
  const ratio = median(oursMs) / median(theirsMs);
  return [
    {
      name: 'Install an image into a slot (decompress, write, fsync, read back + hash) vs `zstd -dc` piped into `dd conv=fsync`, then `sha256sum` of the slot',
      metric: `time ratio ours/theirs, median of ${INSTALL_RUNS}`,
      value: round(ratio, 3),
      unit: '×',
      goal: '≤ 1.25×',
      met: ratio <= 1.25,
      details: {
        imageMiB: round(image.uncompressed.length / MiB, 1),
        payloadMiB: round(image.compressed.length / MiB, 1),
        oursMs: Math.round(median(oursMs)),
        referenceMs: Math.round(median(theirsMs)),
        oursRuns: oursMs.map(Math.round).join(' '),
        referenceRuns: theirsMs.map(Math.round).join(' '),
      },
    },
  ];
}
