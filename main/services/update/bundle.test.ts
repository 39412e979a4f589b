import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, createReadStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/api/errors.js';
import { canonicalJsonBytes } from '../../../src/update/canonicalJson.js';
import { HEADER_LENGTH, SIGNATURE_BLOCK_LENGTH, decodeBundleHeader, encodeBundleHeader, encodeSignatureBlock } from '../../../src/update/header.js';
import { fromHex } from '../../../src/update/hex.js';
import { decodeManifest, layoutManifest, type BundleManifest } from '../../../src/update/manifest.js';
import type { TrustedKey } from '../../../src/update/verify.js';
import { BundleReader } from './BundleReader.js';
import { createBundle, type CreateBundleOptions } from '../../operator/bundles/BundleWriter.js';
import { generateKeys, loadSigningKey, type SigningKey } from '../../operator/keys/signingKeys.js';
import { loadTrustedKey } from './trustedKeys.js';

const MiB = 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), 'hc-bundle-'));
let key: SigningKey;
let trusted: TrustedKey;
let otherKey: TrustedKey;
let good: Buffer;
let goodManifest: BundleManifest;
const images = { rootfs: join(root, 'rootfs.img'), boot: join(root, 'boot.img'), empty: join(root, 'empty.img') };

beforeAll(async () => {
  await generateKeys(join(root, 'keys'), ['bundle', 'root']);
  key = await loadSigningKey(join(root, 'keys/bundle.key'));
  trusted = await loadTrustedKey(join(root, 'keys/bundle.pub'));
  otherKey = await loadTrustedKey(join(root, 'keys/root.pub'));
  // Half noise, half repetition: compresses somewhat, like a file system image.
  writeFileSync(images.rootfs, Buffer.concat([randomBytes(MiB), Buffer.alloc(MiB / 2, 'ext4 block ')]));
  writeFileSync(images.boot, Array.from({ length: 20_000 }, (_, i) => `kernel line ${i}\n`).join(''));
  writeFileSync(images.empty, '');
  goodManifest = (await build('good.bundle')).manifest;
  good = readFileSync(join(root, 'good.bundle'));
});
afterAll(() => {
  key?.dispose();
  rmSync(root, { recursive: true, force: true });
});

function build(out: string, extra: Partial<CreateBundleOptions> = {}) {
  return createBundle({
    version: '1.4.0',
    compatible: 'hs-1',
    minVersion: '1.0.0',
    requires: [{ name: 'bootloader', range: '>=2.0.0' }],
    notes: 'Better tracking.\n',
    images: [
      { name: 'rootfs', path: images.rootfs },
      { name: 'kernel', slot: 'boot', path: images.boot },
      { name: 'empty', path: images.empty },
    ],
    key,
    out: join(root, out),
    ...extra,
  });
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(root, name);
  writeFileSync(path, bytes);
  return path;
}

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Opens and fully verifies (deep); 'OK' or the AppError code. Any other error fails the test. */
async function fileCode(path: string, keys: TrustedKey[] = [trusted]): Promise<string> {
  return codeOf(async () => {
    const reader = await BundleReader.open(path, { trusted: keys });
    await reader.verify({ deep: true });
    expect(reader.fullyVerified).toBe(true);
  });
}

async function streamCode(bytes: Buffer, chunkSize = 4096, keys: TrustedKey[] = [trusted]): Promise<string> {
  return codeOf(async () => {
    const reader = await BundleReader.fromStream(chunked(bytes, chunkSize), { trusted: keys });
    await reader.verify({ deep: true });
    expect(reader.fullyVerified).toBe(true);
  });
}

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'OK';
}

/** The parts of a bundle, by the header's own account. */
function split(bundle: Buffer) {
  const { manifestLength } = decodeBundleHeader(bundle);
  const manifestEnd = HEADER_LENGTH + manifestLength;
  return {
    manifestBytes: bundle.subarray(HEADER_LENGTH, manifestEnd),
    signatureBlock: bundle.subarray(manifestEnd, manifestEnd + SIGNATURE_BLOCK_LENGTH),
    payloads: bundle.subarray(manifestEnd + SIGNATURE_BLOCK_LENGTH),
  };
}

/** A bundle whose manifest is `manifestBytes`, validly signed by the trusted key, with `payloads` after. */
function signed(manifestBytes: Uint8Array, payloads: Uint8Array, signer = key): Buffer {
  return Buffer.concat([
    encodeBundleHeader({ formatVersion: 1, manifestLength: manifestBytes.length }),
    manifestBytes,
    encodeSignatureBlock({ keyId: fromHex(signer.keyId)!, signature: signer.sign(manifestBytes) }),
    payloads,
  ]);
}

/** Buffer.equals: vitest's toEqual walks a megabyte buffer index by index, for seconds. */
function expectSameBytes(actual: Buffer | undefined, expected: Buffer): void {
  expect(actual?.length).toBe(expected.length);
  expect(actual!.equals(expected)).toBe(true);
}

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe('update bundles', () => {
  it('round-trips: create, verify, and extract payloads equal to the input images', async () => {
    const reader = await BundleReader.open(join(root, 'good.bundle'), { trusted: [otherKey, trusted] });
    expect(reader.keyId).toBe(trusted.keyId);
    expect(reader.length).toBe(good.length);
    expect(reader.manifest).toMatchObject({
      format: 1,
      version: '1.4.0',
      compatible: 'hs-1',
      minVersion: '1.0.0',
      requires: [{ name: 'bootloader', range: '>=2.0.0' }],
      notes: 'Better tracking.\n',
    });
    const extracted: Record<string, Buffer> = {};
    for await (const payload of reader.payloads()) {
      const parts: Buffer[] = [];
      for await (const chunk of payload.decompressed()) parts.push(chunk);
      extracted[payload.image.name] = Buffer.concat(parts);
    }
    expect(reader.fullyVerified).toBe(true);
    expectSameBytes(extracted.rootfs, readFileSync(images.rootfs));
    expectSameBytes(extracted.kernel, readFileSync(images.boot));
    expectSameBytes(extracted.empty, Buffer.alloc(0));
    expect(reader.manifest.images.map((i) => [i.name, i.slot])).toEqual([
      ['rootfs', 'rootfs'],
      ['kernel', 'boot'],
      ['empty', 'empty'],
    ]);
    expect(await fileCode(join(root, 'good.bundle'))).toBe('OK');
  });

  it('writes real zstd frames at the offsets the manifest gives (checked with the zstd tool)', () => {
    for (const [image, path] of [
      [goodManifest.images[0]!, images.rootfs],
      [goodManifest.images[1]!, images.boot],
    ] as const) {
      const frame = good.subarray(image.offset, image.offset + image.compressed.length);
      expectSameBytes(execFileSync('zstd', ['-d', '-c', '-q'], { input: frame, maxBuffer: 64 * MiB }), readFileSync(path));
    }
  });

  it('verifies the same from a stream in any chunking', async () => {
    for (const size of [97, 4096, 65536, good.length]) expect(await streamCode(good, size), `chunks of ${size}`).toBe('OK');
    // 1-byte chunks through the envelope and into the first payload, cut there.
    expect(await streamCode(good.subarray(0, 4096), 1)).toBe('BUNDLE_TRUNCATED');
  });

  it('refuses a truncated bundle at any cut point, from a file and from a stream', async () => {
    const { manifestLength } = decodeBundleHeader(good);
    const payloadStart = HEADER_LENGTH + manifestLength + SIGNATURE_BLOCK_LENGTH;
    const [rootfs, kernel] = goodManifest.images;
    const cuts = [
      0,
      5,
      8,
      HEADER_LENGTH,
      HEADER_LENGTH + 10,
      HEADER_LENGTH + manifestLength,
      HEADER_LENGTH + manifestLength + 40,
      payloadStart,
      payloadStart + 1000,
      kernel!.offset,
      kernel!.offset + 10,
      rootfs!.offset + rootfs!.compressed.length - 1,
      good.length - 1,
    ];
    for (const cut of cuts) {
      const path = write(`cut-${cut}.bundle`, good.subarray(0, cut));
      expect(await fileCode(path), `file cut at ${cut}`).toBe('BUNDLE_TRUNCATED');
      expect(await streamCode(good.subarray(0, cut)), `stream cut at ${cut}`).toBe('BUNDLE_TRUNCATED');
    }
  });

  it('refuses a tampered manifest: its signature no longer verifies', async () => {
    const { manifestBytes } = split(good);
    const at = HEADER_LENGTH + Buffer.from(manifestBytes).indexOf('"version":"1.4.0"') + '"version":"1.'.length;
    const tampered = Buffer.from(good);
    tampered[at] = '9'.charCodeAt(0); // still a valid manifest, now version 1.9.0
    expect(await fileCode(write('tampered-manifest.bundle', tampered))).toBe('BUNDLE_BAD_SIGNATURE');
    expect(await streamCode(tampered)).toBe('BUNDLE_BAD_SIGNATURE');
    // A flipped bit in the signature itself, too.
    expect(await fileCode(write('tampered-signature.bundle', flip(good, HEADER_LENGTH + manifestBytes.length + 32 + 5)))).toBe(
      'BUNDLE_BAD_SIGNATURE',
    );
    // A header that moves the manifest's end reads the wrong bytes as key id and signature.
    const moved = Buffer.from(good);
    moved.writeUInt32BE(manifestBytes.length + 1, 12);
    expect(['BUNDLE_UNTRUSTED_KEY', 'BUNDLE_BAD_SIGNATURE']).toContain(await fileCode(write('moved.bundle', moved)));
  });

  it('refuses a tampered payload, and the consumer never sees it end cleanly', async () => {
    const [rootfs, kernel] = goodManifest.images;
    for (const at of [rootfs!.offset, rootfs!.offset + 700_000, kernel!.offset + kernel!.compressed.length - 1]) {
      const tampered = flip(good, at);
      expect(await fileCode(write(`tampered-${at}.bundle`, tampered)), `byte ${at}`).toBe('BUNDLE_PAYLOAD_MISMATCH');
      expect(await streamCode(tampered), `byte ${at}`).toBe('BUNDLE_PAYLOAD_MISMATCH');
      expect(
        await codeOf(() => BundleReader.open(join(root, `tampered-${at}.bundle`), { trusted: [trusted] }).then((r) => r.verify())),
        `shallow, byte ${at}`,
      ).toBe('BUNDLE_PAYLOAD_MISMATCH');
    }
    // The compressed stream of a payload errors instead of ending.
    const reader = await BundleReader.open(write('tampered-stream.bundle', flip(good, rootfs!.offset + 1000)), { trusted: [trusted] });
    const payloads = reader.payloads();
    const first = (await payloads.next()).value!;
    let received = 0;
    const consumed = (async () => {
      for await (const chunk of first.stream()) received += (chunk as Buffer).length;
    })();
    await expect(consumed).rejects.toMatchObject({ code: 'BUNDLE_PAYLOAD_MISMATCH' });
    expect(received).toBe(rootfs!.compressed.length);
    await expect(payloads.next()).rejects.toMatchObject({ code: 'BUNDLE_PAYLOAD_MISMATCH' });
    expect(reader.fullyVerified).toBe(false);
    await reader.close();
  });

  it('still verifies a payload the consumer skips or stops reading', async () => {
    const [rootfs] = goodManifest.images;
    type Stop = 'skip' | 'chunks' | 'decompressed' | 'stream';
    const readSecond = async (bytes: Buffer, stop: Stop) => {
      const reader = await BundleReader.fromStream(chunked(bytes, 65536), { trusted: [trusted] });
      const parts: Buffer[] = [];
      for await (const payload of reader.payloads()) {
        if (payload.index === 0 && stop !== 'skip') {
          // Read a little, then walk away, each way a consumer can.
          if (stop === 'chunks') for await (const _chunk of payload.chunks()) break;
          if (stop === 'decompressed') for await (const _chunk of payload.decompressed()) break;
          if (stop === 'stream') {
            const stream = payload.stream();
            await new Promise((resolve) => stream.once('data', resolve));
            stream.destroy();
          }
        }
        if (payload.index === 1) for await (const chunk of payload.decompressed()) parts.push(chunk);
      }
      expect(reader.fullyVerified).toBe(true);
      return Buffer.concat(parts);
    };
    for (const stop of ['skip', 'chunks', 'decompressed', 'stream'] as const) {
      expectSameBytes(await readSecond(good, stop), readFileSync(images.boot));
      await expect(readSecond(flip(good, rootfs!.offset + rootfs!.compressed.length - 10), stop), stop).rejects.toMatchObject({
        code: 'BUNDLE_PAYLOAD_MISMATCH',
      });
    }
  });

  it('from a file: the chunks a consumer keeps stay intact while the reader hashes on in reused memory', async () => {
    const path = join(root, 'good.bundle');
    const payloadBytes = (index: number) => {
      const image = goodManifest.images[index]!;
      return good.subarray(image.offset, image.offset + image.compressed.length);
    };
    // Keep one payload's chunks and skip the others (read past and hashed without copies), each way round.
    for (const keep of [0, 1]) {
      const reader = await BundleReader.open(path, { trusted: [trusted] });
      const kept: Buffer[] = [];
      for await (const payload of reader.payloads()) if (payload.index === keep) for await (const chunk of payload.chunks()) kept.push(chunk);
      expect(reader.fullyVerified).toBe(true);
      expectSameBytes(Buffer.concat(kept), payloadBytes(keep));
    }
    // The whole file seen by onRead, in the same pass, while the payloads are hashed in place.
    const seen: Buffer[] = [];
    await (await BundleReader.open(path, { trusted: [trusted], onRead: (chunk) => seen.push(Buffer.from(chunk)) })).verify();
    expectSameBytes(Buffer.concat(seen), good);
  });

  it('refuses a bundle signed by a key that is not trusted, or claiming a trusted key id it was not signed with', async () => {
    const path = join(root, 'good.bundle');
    expect(await fileCode(path, [otherKey])).toBe('BUNDLE_UNTRUSTED_KEY');
    expect(await fileCode(path, [])).toBe('BUNDLE_UNTRUSTED_KEY');
    // Signed by another key, with the trusted key's id written in: the signature does not verify.
    await generateKeys(join(root, 'keys2'), ['bundle']);
    const intruder = await loadSigningKey(join(root, 'keys2/bundle.key'));
    const { manifestBytes, payloads } = split(good);
    const forged = signed(manifestBytes, payloads, intruder);
    forged.set(fromHex(trusted.keyId)!, HEADER_LENGTH + manifestBytes.length);
    expect(await fileCode(write('forged.bundle', forged))).toBe('BUNDLE_BAD_SIGNATURE');
    // Signed by the intruder under its own id: untrusted.
    expect(await fileCode(write('intruder.bundle', signed(manifestBytes, payloads, intruder)))).toBe('BUNDLE_UNTRUSTED_KEY');
    intruder.dispose();
  });

  it('refuses trailing garbage: from a file before hashing, from a stream at the end', async () => {
    for (const extra of [Buffer.from([0]), Buffer.from('appended'), randomBytes(3 * MiB)]) {
      const bytes = Buffer.concat([good, extra]);
      expect(await fileCode(write('trailing.bundle', bytes))).toBe('BUNDLE_TRAILING_DATA');
      expect(await streamCode(bytes, 65536)).toBe('BUNDLE_TRAILING_DATA');
    }
    // Nothing partial reported valid: the payloads did verify, the bundle still does not.
    const reader = await BundleReader.fromStream(chunked(Buffer.concat([good, Buffer.from('x')]), 65536), { trusted: [trusted] });
    await expect(reader.verify()).rejects.toMatchObject({ code: 'BUNDLE_TRAILING_DATA' });
    expect(reader.fullyVerified).toBe(false);
  });

  it('refuses a validly signed manifest that lies about offsets or lengths', async () => {
    const { manifestBytes, payloads } = split(good);
    const manifest = decodeManifest(manifestBytes);
    const lie = (change: (m: BundleManifest) => BundleManifest) => signed(canonicalJsonBytes(change(structuredClone(manifest))), payloads);
    const withImage = (i: number, patch: object) => (m: BundleManifest) => ({
      ...m,
      images: m.images.map((image, j) => (j === i ? { ...image, ...patch } : image)),
    });
    const [rootfs, kernel] = manifest.images;
    expect(await fileCode(write('lie-0.bundle', lie(withImage(0, { offset: rootfs!.offset - 50 }))))).toBe('BUNDLE_BAD_LAYOUT');
    expect(await fileCode(write('lie-1.bundle', lie(withImage(1, { offset: kernel!.offset + 1000 }))))).toBe('BUNDLE_BAD_LAYOUT');
    expect(await fileCode(write('lie-2.bundle', lie(withImage(1, { offset: rootfs!.offset }))))).toBe('BUNDLE_BAD_LAYOUT');
    // Consistent offsets, but a first payload 1000 bytes longer than it is: the file is too short for it.
    const relaid = (lengthOf: (image: BundleManifest['images'][number], index: number) => number) => {
      const { format: _format, ...draft } = manifest;
      const images = draft.images.map(({ offset: _offset, ...image }, i) => ({
        ...image,
        compressed: { ...image.compressed, length: lengthOf(image as BundleManifest['images'][number], i) },
      }));
      return signed(layoutManifest({ ...draft, images }).bytes, payloads);
    };
    const longer = relaid((image, i) => image.compressed.length + (i === 0 ? 1000 : 0));
    expect(await fileCode(write('lie-3.bundle', longer))).toBe('BUNDLE_TRUNCATED');
    expect(await streamCode(longer)).toBe('BUNDLE_PAYLOAD_MISMATCH'); // the stream sees the wrong bytes first
    // Lengths past 4 GiB flow through the reader: a 5 GiB claim is refused from the file size alone.
    const huge = relaid((image, i) => (i === 0 ? 5 * 1024 * MiB : image.compressed.length));
    expect(await fileCode(write('lie-4.bundle', huge))).toBe('BUNDLE_TRUNCATED');
    const reader = await BundleReader.open(join(root, 'lie-4.bundle'), { trusted: [trusted] }).catch((error: unknown) => error);
    expect(reader).toMatchObject({ code: 'BUNDLE_TRUNCATED', details: { expected: expect.any(Number) } });
    expect((reader as AppError).details).toMatchObject({ expected: expect.toSatisfy((n: number) => n > 5 * 1024 * MiB) });
  });

  it('refuses what is not a bundle, a newer format, an oversized manifest, a malformed signed manifest', async () => {
    expect(await fileCode(write('zst.bundle', execFileSync('zstd', ['-c', '-q', images.boot])))).toBe('BUNDLE_MALFORMED');
    expect(await fileCode(write('empty.bundle', Buffer.alloc(0)))).toBe('BUNDLE_TRUNCATED');
    const newer = Buffer.from(good);
    newer.writeUInt16BE(2, 8);
    expect(await fileCode(write('newer.bundle', newer))).toBe('BUNDLE_UNSUPPORTED_FORMAT');
    // 4 GiB - 1 announced: refused from the header, no allocation, no read.
    const oversized = Buffer.from(good.subarray(0, 64));
    oversized.writeUInt32BE(0xffff_ffff, 12);
    expect(await fileCode(write('oversized.bundle', oversized))).toBe('BUNDLE_MANIFEST_TOO_LARGE');
    const { manifestBytes, payloads } = split(good);
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as BundleManifest;
    for (const bad of [
      JSON.stringify(manifest, null, 2),
      JSON.stringify({ ...manifest, extra: true }),
      JSON.stringify({ ...manifest, format: 2 }),
      '{}',
    ]) {
      expect(await fileCode(write('malformed.bundle', signed(Buffer.from(bad), payloads))), bad.slice(0, 40)).toBe('BUNDLE_MALFORMED');
    }
  });

  it('refuses bad input before writing anything, and leaves no partial files', async () => {
    const before = readdirSync(root).sort();
    for (const extra of [
      { version: 'v2' },
      { compatible: 'two words' },
      { minVersion: 'soon' },
      { images: [{ name: 'Root', path: images.rootfs }] },
      {
        images: [
          { name: 'a', slot: 'x', path: images.rootfs },
          { name: 'b', slot: 'x', path: images.boot },
        ],
      },
      { images: [{ name: 'rootfs', path: join(root, 'missing.img') }] },
      { images: [{ name: 'rootfs', path: root }] },
      { images: [] },
      { compressionLevel: 40 },
    ] as Partial<CreateBundleOptions>[]) {
      expect(await codeOf(() => build('bad.bundle', extra)), JSON.stringify(extra)).toBe('INVALID_INPUT');
    }
    expect(readdirSync(root).sort()).toEqual(before);
    expect(existsSync(join(root, 'bad.bundle'))).toBe(false);
  });

  it('streams a 20 MiB image: the reader never runs more than a chunk or two ahead of its consumer', async () => {
    const big = join(root, 'big.img');
    for (let i = 0; i < 20; i++) appendFileSync(big, randomBytes(MiB)); // incompressible: payload as large as the image
    await createBundle({ version: '2.0.0', compatible: 'hs-1', images: [{ name: 'rootfs', path: big }], key, out: join(root, 'big.bundle') });
    let pulled = 0;
    let delivered = 0;
    let maxAhead = 0;
    async function* source() {
      for await (const chunk of createReadStream(join(root, 'big.bundle'), { highWaterMark: 64 * 1024 })) {
        pulled += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    }
    const reader = await BundleReader.fromStream(source(), { trusted: [trusted] });
    const baseline = pulled;
    for await (const payload of reader.payloads()) {
      for await (const chunk of payload.decompressed()) {
        delivered += chunk.length;
        maxAhead = Math.max(maxAhead, pulled - baseline - delivered);
      }
    }
    expect(reader.fullyVerified).toBe(true);
    expect(delivered).toBe(20 * MiB);
    expect(baseline).toBeLessThan(64 * 1024 + 1); // the envelope came from the first chunk
    expect(maxAhead).toBeLessThan(MiB);
  });
});
