import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync as writeFdSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settledCodeOf as codeOf } from '../../../test-support/api/errorCodes.js';
import type { BundleManifest, ImageEntry } from '../../../src/update/manifest.js';
import type { TrustedKey } from '../../../src/update/verify.js';
import { BundleReader } from './BundleReader.js';
import { createBundle } from '../../operator/bundles/BundleWriter.js';
import { applyDelta, checkDeltaSourceFile, deltaSlotFiller, type CheckedSource, type SourceProvision } from './DeltaApplier.js';
import { writeImageToSlot } from './SlotWriter.js';
import { createDeltaBundle } from '../../operator/bundles/DeltaBundleWriter.js';
import { generateKeys, loadSigningKey } from '../../operator/keys/signingKeys.js';
import { loadTrustedKey } from './trustedKeys.js';

// A realistic pair: ext4 images built by mkfs.ext4 from real binaries of this machine, the second
// changed the way a security update changes one (two binaries rebuilt, one grown).

const MiB = 1024 * 1024;
const IMAGE_SIZE = 24 * MiB;
const SLOT_SIZE = 32 * MiB;
const MKFS = '/sbin/mkfs.ext4';
const root = mkdtempSync(join(tmpdir(), 'hc-delta-'));
const path = (name: string) => join(root, name);
const scratch = path('scratch');
let trusted: TrustedKey[];
let full: BundleManifest;
let delta: BundleManifest;

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A few MB of real executables, picked the same way on every run of this machine. */
function copyBinaries(into: string): string[] {
  mkdirSync(into);
  const picked: string[] = [];
  let total = 0;
  for (const name of readdirSync('/usr/bin').sort()) {
    const file = join('/usr/bin', name);
    let size: number;
    try {
      const info = statSync(file);
      if (!info.isFile()) continue;
      size = info.size;
    } catch {
      continue;
    }
    if (size < 200_000 || size > 1_500_000) continue;
    copyFileSync(file, join(into, name));
    picked.push(name);
    total += size;
    if (total > 4 * MiB) break;
  }
  return picked;
}

/** A deterministic "rebuild": scattered byte changes and a 4 KiB insertion, as a recompiled binary. */
function rebuild(file: string, seed: number): void {
  const bytes = readFileSync(file);
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) >>> 0);
  for (let i = 0; i < 40; i++) bytes.writeUInt32LE(next(), next() % (bytes.length - 4));
  const insert = Buffer.alloc(4096);
  for (let i = 0; i < insert.length; i += 4) insert.writeUInt32LE(next(), i);
  const at = Math.floor(bytes.length / 3);
  rmSync(file); // a package manager writes a new file: new blocks in the image
  writeFileSync(file, Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at)]));
}

function writeSync(file: string, bytes: Uint8Array, position: number): void {
  const fd = openSync(file, 'r+');
  try {
    writeFdSync(fd, bytes, 0, bytes.length, position);
  } finally {
    closeSync(fd);
  }
}

function mkfs(dir: string, image: string): void {
  const uuid = '6b1f3c2e-8d4a-4f6b-9c1e-2a3b4c5d6e7f';
  execFileSync(MKFS, ['-q', '-F', '-b', '4096', '-U', uuid, '-E', `hash_seed=${uuid}`, '-d', dir, image, `${IMAGE_SIZE / 1024}k`], { stdio: 'pipe' });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A slot partition: the image, then whatever the rest of the partition holds (zeros unless `fill`). */
function slotWith(image: string, name: string, fill?: number): string {
  const slot = path(name);
  copyFileSync(image, slot);
  if (fill === undefined) truncateSync(slot, SLOT_SIZE);
  else appendFileSync(slot, Buffer.alloc(SLOT_SIZE - statSync(image).size, fill));
  return slot;
}

/** Streams what the applier yields into `target` from offset 0, as an installer writes a slot. */
async function writeInto(target: string, chunks: AsyncIterable<Buffer>): Promise<number> {
  const handle = await open(target, 'r+');
  let position = 0;
  try {
    for await (const chunk of chunks) {
      await handle.write(chunk, 0, chunk.length, position);
      position += chunk.length;
    }
  } finally {
    await handle.close();
  }
  return position;
}

/** Applies every image of a delta bundle from `source` into `target`; returns how the source was provided. */
async function install(
  bundle: string,
  source: string,
  target: string,
  options: { zstd?: string; checkedSource?: CheckedSource } = {},
): Promise<SourceProvision[]> {
  const reader = await BundleReader.open(bundle, { trusted });
  const hows: SourceProvision[] = [];
  for await (const payload of reader.payloads()) {
    await writeInto(
      target,
      applyDelta({
        image: payload.image,
        patch: payload.chunks(),
        sourcePath: source,
        tempDir: scratch,
        onSource: (how) => hows.push(how),
        ...options,
      }),
    );
  }
  expect(reader.fullyVerified).toBe(true);
  return hows;
}

beforeAll(async () => {
  expect(existsSync(MKFS), `${MKFS} (Debian package e2fsprogs) is needed`).toBe(true);
  mkdirSync(scratch);
  const names = copyBinaries(path('v1'));
  cpSync(path('v1'), path('v2'), { recursive: true });
  rebuild(path(`v2/${names[1]}`), 1);
  rebuild(path(`v2/${names[names.length - 2]}`), 2);
  appendFileSync(path(`v2/${names[0]}`), readFileSync(path(`v1/${names[2]}`)).subarray(0, 20_000));
  mkfs(path('v1'), path('old.img'));
  mkfs(path('v2'), path('new.img'));

  await generateKeys(path('keys'), ['bundle']);
  trusted = [await loadTrustedKey(path('keys/bundle.pub'))];
  const key = await loadSigningKey(path('keys/bundle.key'));
  try {
    await createBundle({ version: '1.0.0', compatible: 'hs-1', images: [{ name: 'rootfs', path: path('old.img') }], key, out: path('v1.bundle') });
    full = (
      await createBundle({
        version: '1.1.0',
        compatible: 'hs-1',
        notes: 'Security fixes.\n',
        images: [{ name: 'rootfs', path: path('new.img') }],
        key,
        out: path('v2.bundle'),
      })
    ).manifest;
    // The whole-image zstd patch: what these tests are about (file-aware deltas: fileDelta.test.ts).
    delta = (await createDeltaBundle({ from: path('v1.bundle'), to: path('v2.bundle'), trusted, key, out: path('delta.bundle'), method: 'image' }))
      .manifest;
  } finally {
    key.dispose();
  }
}, 60_000);

describe('delta bundles', () => {
  it('are much smaller than the full bundle, and say what they patch from', async () => {
    const fullSize = statSync(path('v2.bundle')).size;
    const deltaSize = statSync(path('delta.bundle')).size;
    expect(deltaSize, `delta ${deltaSize} vs full ${fullSize}`).toBeLessThan(fullSize / 20);
    const [image] = delta.images as [ImageEntry];
    expect(delta).toMatchObject({ kind: 'delta', version: '1.1.0', compatible: 'hs-1', notes: 'Security fixes.\n' });
    expect(image.uncompressed).toEqual(full.images[0]!.uncompressed);
    expect(image.delta).toEqual({ fromVersion: '1.0.0', sourceLength: IMAGE_SIZE, sourceSha256: sha256(readFileSync(path('old.img'))) });
    // Verifies as any bundle does: signature, layout, payload hashes.
    const reader = await BundleReader.open(path('delta.bundle'), { trusted });
    await reader.verify();
    // No temporary file is left beside the output.
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('rebuilds exactly the new image from a slot holding the old one (padded to the slot size)', async () => {
    const source = slotWith(path('old.img'), 'slot-a', 0xee);
    const target = slotWith(path('old.img'), 'slot-b'); // the inactive slot's stale content
    const hows = await install(path('delta.bundle'), source, target);
    // zstd takes the whole reference file: a bigger slot needs a file of exactly the image.
    expect(['copy', 'reflink']).toContain(hows[0]);
    const written = readFileSync(target);
    expect(sha256(written.subarray(0, IMAGE_SIZE))).toBe(sha256(readFileSync(path('new.img'))));
    expect(readdirSync(scratch)).toEqual([]); // the temporary copy is gone
    // A source file of exactly the image is used as it is.
    expect(await install(path('delta.bundle'), path('old.img'), target)).toEqual(['direct']);
  });

  it('refuses a source that is not the old image before starting zstd, writing nothing', async () => {
    const target = slotWith(path('old.img'), 'slot-c');
    const before = sha256(readFileSync(target));
    const wrongSources = {
      'new image': slotWith(path('new.img'), 'wrong-new'),
      'one byte changed': (() => {
        const slot = slotWith(path('old.img'), 'wrong-byte');
        const byte = readFileSync(path('old.img')).subarray(5 * MiB, 5 * MiB + 1);
        byte[0] = byte[0]! ^ 1;
        writeSync(slot, byte, 5 * MiB);
        return slot;
      })(),
      'too short': (() => {
        copyFileSync(path('old.img'), path('wrong-short'));
        truncateSync(path('wrong-short'), IMAGE_SIZE - 4096);
        return path('wrong-short');
      })(),
    };
    for (const [name, source] of Object.entries(wrongSources)) {
      // A zstd that does not exist: reaching it would be DELTA_TOOL_FAILED.
      expect(await codeOf(install(path('delta.bundle'), source, target, { zstd: path('no-zstd-here') })), name).toBe('DELTA_SOURCE_MISMATCH');
      expect(await codeOf(checkDeltaSourceFile(delta.images[0]!, source)), name).toBe('DELTA_SOURCE_MISMATCH');
    }
    expect(sha256(readFileSync(target))).toBe(before);
    expect(readdirSync(scratch)).toEqual([]);
    await checkDeltaSourceFile(delta.images[0]!, path('slot-a'));
  });

  it("given the caller's own check of the source, does not hash it again, and still catches a source changed since", async () => {
    const source = slotWith(path('old.img'), 'slot-checked', 0xee);
    const target = slotWith(path('old.img'), 'slot-d');
    const checked = await checkDeltaSourceFile(delta.images[0]!, source);
    expect(checked).toMatchObject({ image: 'rootfs', path: source, length: IMAGE_SIZE, sourceSha256: delta.images[0]!.delta!.sourceSha256 });
    expect(['copy', 'reflink']).toContain((await install(path('delta.bundle'), source, target, { checkedSource: checked }))[0]);
    expect(sha256(readFileSync(target).subarray(0, IMAGE_SIZE))).toBe(sha256(readFileSync(path('new.img'))));
    expect(readdirSync(scratch)).toEqual([]);

    // Changed after the check (not re-hashed): one byte in every 4 KiB, so the patch reads some of
    // them and the rebuilt image no longer matches its signed hash.
    const changed = readFileSync(source);
    for (let at = 100; at < IMAGE_SIZE; at += 4096) changed[at] = changed[at]! ^ 1;
    writeFileSync(source, changed);
    expect(await codeOf(install(path('delta.bundle'), source, target, { checkedSource: checked }))).toBe('BUNDLE_PAYLOAD_MISMATCH');
    // A check of another file is not taken for this one: the source is hashed, and refused first.
    expect(
      await codeOf(
        install(path('delta.bundle'), source, target, { checkedSource: { ...checked, path: path('old.img') }, zstd: path('no-zstd-here') }),
      ),
    ).toBe('DELTA_SOURCE_MISMATCH');
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('as a slot filler, zstd writes straight into the slot: same image, same refusals', async () => {
    const source = slotWith(path('old.img'), 'slot-fill-a', 0xee);
    const target = slotWith(path('old.img'), 'slot-fill-b', 0x5a); // stale bytes after the image, and zeros inside it to overwrite
    const fill = async (bundle: string, options: { zstd?: string; image?: (image: ImageEntry) => ImageEntry } = {}) => {
      const reader = await BundleReader.open(bundle, { trusted });
      const progress: number[] = [];
      const hows: SourceProvision[] = [];
      try {
        for await (const payload of reader.payloads()) {
          const image = options.image ? options.image(payload.image) : payload.image;
          const checked = await checkDeltaSourceFile(payload.image, source);
          await writeImageToSlot(
            image.name,
            deltaSlotFiller({
              image,
              patch: payload.chunks(),
              sourcePath: source,
              tempDir: scratch,
              checkedSource: checked,
              onSource: (how) => hows.push(how),
              ...(options.zstd ? { zstd: options.zstd } : {}),
            }),
            target,
            image.uncompressed,
            { onProgress: (bytes) => progress.push(bytes) },
          );
        }
      } finally {
        await reader.close();
      }
      return { progress, hows };
    };
    // Zeroed, so a zstd seeking over zeros (sparse output) would leave these bytes and fail the read-back.
    writeFileSync(target, Buffer.alloc(SLOT_SIZE, 0x5a));
    const { progress, hows } = await fill(path('delta.bundle'));
    expect(['copy', 'reflink']).toContain(hows[0]);
    expect(sha256(readFileSync(target).subarray(0, IMAGE_SIZE))).toBe(sha256(readFileSync(path('new.img'))));
    expect(progress.at(-1)).toBe(IMAGE_SIZE);
    expect(statSync(target).size).toBe(SLOT_SIZE);

    const good = readFileSync(path('delta.bundle'));
    const image = delta.images[0]!;
    const tampered = Buffer.from(good);
    tampered[image.offset + Math.floor(image.compressed.length / 2)]! ^= 0x55;
    writeFileSync(path('tampered-fill.bundle'), tampered);
    expect(await codeOf(fill(path('tampered-fill.bundle')))).toBe('BUNDLE_PAYLOAD_MISMATCH');
    expect(await codeOf(fill(path('delta.bundle'), { zstd: path('no-zstd-here') }))).toBe('DELTA_TOOL_FAILED');
    // More output than the signed length (here: a length cut short): stopped, a payload mismatch.
    expect(
      await codeOf(
        fill(path('delta.bundle'), { image: (entry) => ({ ...entry, uncompressed: { ...entry.uncompressed, length: IMAGE_SIZE - 4096 } }) }),
      ),
    ).toBe('BUNDLE_PAYLOAD_MISMATCH');
    expect(statSync(target).size).toBe(SLOT_SIZE);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('with a copy folder, the check copies a larger slot in the same read: zstd patches from exactly the bytes that were hashed', async () => {
    const source = slotWith(path('old.img'), 'slot-copied', 0xee);
    const target = slotWith(path('old.img'), 'slot-copied-target');
    const copyDir = path('delta-sources');
    const checked = await checkDeltaSourceFile(delta.images[0]!, source, { copyDir });
    const reference = checked.reference!;
    expect(['copy', 'reflink']).toContain(reference.how);
    expect(statSync(reference.path).mode & 0o777).toBe(0o600);
    expect(statSync(copyDir).mode & 0o777).toBe(0o700);
    expect(sha256(readFileSync(reference.path))).toBe(delta.images[0]!.delta!.sourceSha256);

    // The slot changes after the check: zstd reads the copy, which holds what was hashed, so the
    // image is rebuilt right (without the copy, these changes fail the output's check, above).
    const changed = readFileSync(source);
    for (let at = 100; at < IMAGE_SIZE; at += 4096) changed[at] = changed[at]! ^ 1;
    writeFileSync(source, changed);
    expect(await install(path('delta.bundle'), source, target, { checkedSource: checked })).toEqual([reference.how]);
    expect(sha256(readFileSync(target).subarray(0, IMAGE_SIZE))).toBe(sha256(readFileSync(path('new.img'))));
    // The copy is its asker's: the applier neither removes it nor leaves anything of its own.
    expect(readdirSync(copyDir)).toEqual(['rootfs.source.img']);
    expect(readdirSync(scratch)).toEqual([]);

    // A source that does not match leaves no copy; one of exactly the image's size needs none.
    rmSync(copyDir, { recursive: true });
    expect(await codeOf(checkDeltaSourceFile(delta.images[0]!, source, { copyDir }))).toBe('DELTA_SOURCE_MISMATCH');
    expect(readdirSync(copyDir)).toEqual([]);
    expect((await checkDeltaSourceFile(delta.images[0]!, path('old.img'), { copyDir })).reference).toBeUndefined();
  });

  it('refuses a tampered patch (BUNDLE_PAYLOAD_MISMATCH)', async () => {
    const good = readFileSync(path('delta.bundle'));
    const image = delta.images[0]!;
    const source = path('slot-a');
    for (const at of [image.offset + Math.floor(image.compressed.length / 2), good.length - 1, image.offset + 20]) {
      const tampered = Buffer.from(good);
      tampered[at] = tampered[at]! ^ 0x55;
      writeFileSync(path('tampered.bundle'), tampered);
      expect(await codeOf(install(path('tampered.bundle'), source, path('slot-b'))), `byte ${at}`).toBe('BUNDLE_PAYLOAD_MISMATCH');
    }
    // Fed straight to the applier (no bundle reader checking the patch's hash), zstd's own refusal of
    // a damaged, cut or foreign patch is a payload mismatch too.
    const patch = good.subarray(image.offset, image.offset + image.compressed.length);
    const flipped = Buffer.from(patch);
    flipped[patch.length >> 1] = flipped[patch.length >> 1]! ^ 0x55;
    for (const [name, bytes] of [
      ['flipped', flipped],
      ['cut', patch.subarray(0, patch.length >> 1)],
      ['foreign', Buffer.from('not a zstd frame')],
    ] as const) {
      const chunks = applyDelta({ image, patch: [bytes], sourcePath: source, tempDir: scratch });
      expect(await codeOf(writeInto(path('slot-b'), chunks)), name).toBe('BUNDLE_PAYLOAD_MISMATCH');
    }
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('reports a missing zstd as DELTA_TOOL_FAILED, and stopping early kills zstd and cleans up', async () => {
    expect(await codeOf(install(path('delta.bundle'), path('slot-a'), path('slot-b'), { zstd: path('no-zstd-here') }))).toBe('DELTA_TOOL_FAILED');
    const reader = await BundleReader.open(path('delta.bundle'), { trusted });
    for await (const payload of reader.payloads()) {
      for await (const _chunk of applyDelta({ image: payload.image, patch: payload.chunks(), sourcePath: path('slot-a'), tempDir: scratch })) break;
    }
    expect(reader.fullyVerified).toBe(true); // the unread rest of the payload was still verified
    expect(readdirSync(scratch)).toEqual([]);
  });
});
