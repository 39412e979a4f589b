import { execFileSync } from 'node:child_process';
import { cpSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settledCodeOf as codeOf } from '../../../../test-support/api/errorCodes.js';
import type { BundleManifest } from '../../../../src/update/manifest.js';
import type { TrustedKey } from '../../../../src/update/verify.js';
import { BundleReader } from '../../../services/update/BundleReader.js';
import { applyDelta, checkDeltaSourceFile, deltaSlotFiller } from '../../../services/update/DeltaApplier.js';
import { writeImageToSlot } from '../../../services/update/SlotWriter.js';
import { loadTrustedKey } from '../../../services/update/trustedKeys.js';
import { generateKeys, loadSigningKey } from '../../keys/signingKeys.js';
import { createBundle } from '../BundleWriter.js';
import { createDeltaBundle, type DeltaImageReport } from '../DeltaBundleWriter.js';
import { UNIT_METHODS } from '../../../../src/update/fileDelta.js';
import { decodeUnit } from '../../../services/update/delta/unitDecoders.js';
import { mapExt4Files } from './ext4Files.js';
import { DEFAULT_UNIT_TOOLS, encodeUnit } from './unitEncoders.js';

// File-aware deltas on real ext4 images made by mke2fs -d from this machine's binaries: version 2
// rebuilds two of them, renames one to a new version, adds one and removes one.

const MiB = 1024 * 1024;
const IMAGE_SIZE = 16 * MiB;
const SLOT_SIZE = 20 * MiB;
const root = mkdtempSync(join(tmpdir(), 'hc-file-delta-'));
const path = (name: string) => join(root, name);
let trusted: TrustedKey[];
let manifest: BundleManifest;
let report: DeltaImageReport;
let autoManifest: BundleManifest;

afterAll(() => rmSync(root, { recursive: true, force: true }));

function copyBinaries(into: string): string[] {
  mkdirSync(into, { recursive: true });
  const picked: string[] = [];
  let total = 0;
  for (const name of readdirSync('/usr/bin').sort()) {
    try {
      const info = statSync(join('/usr/bin', name));
      if (!info.isFile() || info.size < 100_000 || info.size > 1_000_000) continue;
      copyFileSync(join('/usr/bin', name), join(into, name));
    } catch {
      continue;
    }
    picked.push(name);
    total += statSync(join(into, name)).size;
    if (total > 5 * MiB) break;
  }
  return picked;
}

function rebuild(file: string, seed: number): void {
  const bytes = readFileSync(file);
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) >>> 0);
  for (let i = 0; i < 30; i++) bytes.writeUInt32LE(next(), next() % (bytes.length - 4));
  rmSync(file);
  writeFileSync(file, Buffer.concat([bytes, Buffer.alloc(3000, 7)]));
}

function mkfs(dir: string, image: string, blockSize: number): void {
  const uuid = '7c2e4d1f-9a8b-4c3d-8e2f-1a2b3c4d5e6f';
  execFileSync(
    'mke2fs',
    ['-q', '-F', '-t', 'ext4', '-b', String(blockSize), '-U', uuid, '-E', `hash_seed=${uuid}`, '-d', dir, image, `${IMAGE_SIZE / 1024}k`],
    {
      stdio: 'pipe',
      env: { ...process.env, E2FSPROGS_FAKE_TIME: '1767225600' },
    },
  );
}

/** A slot partition holding `image` then a marker pattern: a write anywhere in it shows. */
function slot(name: string, image?: string): string {
  const file = path(name);
  if (image) copyFileSync(image, file);
  else writeFileSync(file, Buffer.alloc(0));
  const marker = Buffer.alloc(SLOT_SIZE - statSync(file).size, 0xa5);
  writeFileSync(file, marker, { flag: 'a' });
  return file;
}

async function installInto(bundle: string, source: string, target: string): Promise<void> {
  const reader = await BundleReader.open(bundle, { trusted });
  try {
    for await (const payload of reader.payloads()) {
      // As the installer: the source checked before anything is touched, then the slot filled.
      const checkedSource = await checkDeltaSourceFile(payload.image, source);
      const filler = deltaSlotFiller({ image: payload.image, patch: payload.chunks(), sourcePath: source, tempDir: path('scratch'), checkedSource });
      await writeImageToSlot(payload.image.name, filler, target, payload.image.uncompressed);
    }
    expect(reader.fullyVerified).toBe(true);
  } finally {
    await reader.close();
  }
}

beforeAll(async () => {
  mkdirSync(path('scratch'));
  const names = copyBinaries(path('v1/usr/bin'));
  mkdirSync(path('v1/usr/lib'), { recursive: true });
  copyFileSync(join('/usr/bin', names[3]!), path('v1/usr/lib/libdemo.so.1.2'));
  cpSync(path('v1'), path('v2'), { recursive: true });
  rebuild(path(`v2/usr/bin/${names[1]}`), 1);
  rebuild(path(`v2/usr/bin/${names[names.length - 2]}`), 2);
  // A library that moved a version: the old build is what the new one is diffed against.
  rmSync(path('v2/usr/lib/libdemo.so.1.2'));
  copyFileSync(path('v1/usr/lib/libdemo.so.1.2'), path('v2/usr/lib/libdemo.so.1.3'));
  rebuild(path('v2/usr/lib/libdemo.so.1.3'), 3);
  rmSync(path(`v2/usr/bin/${names[0]}`));
  copyFileSync('/usr/bin/env', path('v2/usr/bin/env-new'));
  mkfs(path('v1'), path('old.img'), 1024);
  mkfs(path('v2'), path('new.img'), 1024);

  await generateKeys(path('keys'), ['bundle']);
  trusted = [await loadTrustedKey(path('keys/bundle.pub'))];
  const key = await loadSigningKey(path('keys/bundle.key'));
  try {
    const make = (version: string, image: string) =>
      createBundle({ version, compatible: 'hs-1', images: [{ name: 'rootfs', path: image }], key, out: path(`${version}.bundle`) });
    await make('1.0.0', path('old.img'));
    await make('1.1.0', path('new.img'));
    const made = await createDeltaBundle({
      from: path('1.0.0.bundle'),
      to: path('1.1.0.bundle'),
      trusted,
      key,
      out: path('delta.bundle'),
      method: 'file',
    });
    manifest = made.manifest;
    const auto = await createDeltaBundle({
      from: path('1.0.0.bundle'),
      to: path('1.1.0.bundle'),
      trusted,
      key,
      out: path('auto.bundle'),
      method: 'auto',
    });
    autoManifest = auto.manifest;
    report = auto.images[0]!;
  } finally {
    key.dispose();
  }
}, 240_000);

describe('ext4 file map (debugfs)', () => {
  it('maps each file to the blocks holding its bytes', async () => {
    const map = await mapExt4Files(path('new.img'));
    const image = readFileSync(path('new.img'));
    const lib = map.files.find((file) => file.path === '/usr/lib/libdemo.so.1.3')!;
    expect(lib).toBeDefined();
    const bytes = Buffer.concat(lib.blocks.map((block) => image.subarray(block * map.blockSize, (block + 1) * map.blockSize)));
    const expected = readFileSync(path('v2/usr/lib/libdemo.so.1.3'));
    // Holes (runs of zeros mke2fs leaves out) are not stored: compare without zeros.
    const strip = (b: Buffer) => Buffer.from([...b].filter((x) => x !== 0));
    expect(strip(bytes.subarray(0, expected.length + map.blockSize))).toEqual(strip(expected));
    expect(map.files.some((file) => file.path.endsWith('/env-new'))).toBe(true);
  });
});

describe('unit methods', () => {
  it("each decodes on the device exactly what it encoded on the operator's machine", async () => {
    // Machine code (xz-x86 is tried only where there is an x86 ELF header).
    const reference = readFileSync('/usr/bin/env');
    const output = Buffer.from(reference);
    output.writeUInt32LE(0xdeadbeef, 5000);
    output.copy(output, 30_000, 1000, 9000); // moved bytes
    for (const method of UNIT_METHODS) {
      const withReference = ['zstd-ref', 'xdelta3', 'adiff-xz'].includes(method);
      const encoded = await encodeUnit(output, withReference ? reference : undefined, path('scratch'), DEFAULT_UNIT_TOOLS, [method]);
      expect(encoded.method).toBe(method);
      const decoded = await decodeUnit(
        'rootfs',
        method,
        encoded.data,
        withReference ? reference : undefined,
        output.length,
        path('scratch'),
        DEFAULT_UNIT_TOOLS,
      );
      expect(decoded.equals(output), method).toBe(true);
      // A unit that decodes to more than its signed length is stopped, not kept.
      if (method !== 'zstd' && method !== 'zstd-ref')
        expect(
          await codeOf(
            decodeUnit('rootfs', method, encoded.data, withReference ? reference : undefined, output.length - 1, path('scratch'), DEFAULT_UNIT_TOOLS),
          ),
          method,
        ).toBe('DELTA_TOOL_FAILED');
    }
    expect(readdirSync(path('scratch'))).toEqual([]);
  });

  it('a missing decoder tool is DELTA_TOOL_FAILED', async () => {
    const output = Buffer.alloc(4096, 3);
    const encoded = await encodeUnit(output, undefined, path('scratch'), DEFAULT_UNIT_TOOLS, ['xz']);
    expect(
      await codeOf(
        decodeUnit('rootfs', 'xz', encoded.data, undefined, output.length, path('scratch'), { xz: '/nonexistent/xz', xdelta3: 'xdelta3' }),
      ),
    ).toBe('DELTA_TOOL_FAILED');
  });
});

describe('file-aware delta bundles', () => {
  it('are kept when smaller than the whole-image patch (auto), and diff the library moved a version against its old build', () => {
    expect(report.fileDelta).toBeDefined();
    expect(report.imagePatchLength).toBeGreaterThan(0);
    const fileSmaller = report.fileDelta!.payloadLength < report.imagePatchLength!;
    expect(autoManifest.images[0]!.compression).toBe(fileSmaller ? 'hsdelta-1' : 'zstd');
    expect(report.patchLength).toBe(Math.min(report.fileDelta!.payloadLength, report.imagePatchLength!));
    expect(manifest.images[0]!.compression).toBe('hsdelta-1');
    const lib = report.fileDelta!.units.find((unit) => unit.what.includes('libdemo.so.1.3'))!;
    expect(lib.what).toContain('from /usr/lib/libdemo.so.1.2');
    expect(['zstd-ref', 'xdelta3']).toContain(lib.method);
    expect(lib.dataLength).toBeLessThan(lib.outputBytes / 10);
    expect(report.fileDelta!.blocks.copy).toBeGreaterThan(report.fileDelta!.blocks.unit);
  });

  it('rebuild the new image exactly into a slot from a slot holding the old one', async () => {
    expect(manifest.images[0]!.compression).toBe('hsdelta-1');
    const source = slot('source.img', path('old.img'));
    const target = slot('target.img');
    await installInto(path('delta.bundle'), source, target);
    const written = readFileSync(target);
    expect(written.subarray(0, IMAGE_SIZE).equals(readFileSync(path('new.img')))).toBe(true);
    expect(written.subarray(IMAGE_SIZE).every((byte) => byte === 0xa5)).toBe(true);
  });

  it('refuse a source that is not the old image before anything is written', async () => {
    const wrong = slot('wrong-source.img', path('new.img'));
    const target = slot('target-wrong.img');
    const before = readFileSync(target);
    expect(await codeOf(installInto(path('delta.bundle'), wrong, target))).toBe('DELTA_SOURCE_MISMATCH');
    expect(readFileSync(target).equals(before)).toBe(true);
  });

  it('refuse a tampered or truncated delta with a typed error, writing nothing', async () => {
    const source = slot('source-2.img', path('old.img'));
    const bundle = readFileSync(path('delta.bundle'));
    const image = manifest.images[0]!;
    const tampered = Buffer.from(bundle);
    tampered[image.offset + Math.floor(image.compressed.length / 2)]! ^= 0x40;
    writeFileSync(path('tampered.bundle'), tampered);
    writeFileSync(path('truncated.bundle'), bundle.subarray(0, image.offset + image.compressed.length - 100));
    for (const [name, code] of [
      ['tampered.bundle', 'BUNDLE_PAYLOAD_MISMATCH'],
      ['truncated.bundle', 'BUNDLE_TRUNCATED'],
    ] as const) {
      const target = slot(`target-${name}.img`);
      const before = readFileSync(target);
      expect(await codeOf(installInto(path(name), source, target)), name).toBe(code);
      expect(readFileSync(target).equals(before), name).toBe(true);
    }
    expect(readdirSync(path('scratch'))).toEqual([]);
  });

  it("refuse a source slot cut short of a block the delta copies (DELTA_SOURCE_MISMATCH), even past the caller's check", async () => {
    const short = path('short-source.img');
    copyFileSync(path('old.img'), short);
    const reader = await BundleReader.open(path('delta.bundle'), { trusted });
    try {
      const checked = await checkDeltaSourceFile(manifest.images[0]!, short);
      truncateSync(short, IMAGE_SIZE / 2);
      const payload = (await reader.payloads()[Symbol.asyncIterator]().next()).value!;
      const chunks = applyDelta({
        image: payload.image,
        patch: payload.chunks(),
        sourcePath: short,
        tempDir: path('scratch'),
        checkedSource: checked,
      });
      const handle = await open(path('scratch-out'), 'w');
      try {
        expect(
          await codeOf(
            (async () => {
              for await (const chunk of chunks) await handle.write(chunk);
            })(),
          ),
        ).toMatch(/^(DELTA_SOURCE_MISMATCH|BUNDLE_PAYLOAD_MISMATCH)$/);
      } finally {
        await handle.close();
      }
    } finally {
      await reader.close();
    }
  });
});
