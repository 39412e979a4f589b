import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CompressStream } from 'zstd-napi';
import { AppError } from '../../../src/api/errors.js';
import { BUNDLE_FORMAT_VERSION, encodeBundleHeader, encodeSignatureBlock } from '../../../src/update/header.js';
import { fromHex } from '../../../src/update/hex.js';
import { layoutManifest, type BundleManifest, type ImageDraft, type ManifestDraft, type Requirement } from '../../../src/update/manifest.js';
import { fsyncDirectory } from '../../services/storage/atomicFile.js';
import type { SigningKey } from '../keys/signingKeys.js';

export interface BundleImageSource {
  name: string;
  /** The slot partition it is written to; defaults to the name. */
  slot?: string;
  /** A regular file or a block device holding the raw image. */
  path: string;
}

export interface CreateBundleOptions {
  version: string;
  compatible: string;
  minVersion?: string;
  requires?: Requirement[];
  /** systemd units the update touches (manifest `services`): stopped before the slot is written, started after. */
  services?: string[];
  notes?: string;
  created?: Date;
  images: BundleImageSource[];
  key: SigningKey;
  out: string;
  /** zstd level, 1..19 (default 3). */
  compressionLevel?: number;
}

const COPY_CHUNK = 1024 * 1024;
const PLACEHOLDER = { length: 0, sha256: '0'.repeat(64) };

/**
 * Writes a signed bundle (docs/bundle-format.md). The manifest, which comes first in the file,
 * needs every payload's compressed length and hash, so each image is first streamed through
 * SHA-256, zstd and SHA-256 again into a temporary file beside the output; then header, manifest,
 * signature and the payloads are written to `OUT.partial`, fsynced and renamed over OUT. Memory
 * stays bounded whatever the image sizes; the disk needs room for the payloads twice meanwhile.
 */
export async function createBundle(options: CreateBundleOptions): Promise<{ manifest: BundleManifest; length: number }> {
  const level = options.compressionLevel ?? 3;
  if (!Number.isInteger(level) || level < 1 || level > 19)
    throw new AppError('INVALID_INPUT', `The zstd level must be 1..19, not ${level}.`, [{ path: 'compressionLevel', message: 'out of range' }]);
  const draftOf = (images: ImageDraft[]): ManifestDraft => ({
    version: options.version,
    compatible: options.compatible,
    ...(options.minVersion === undefined ? {} : { minVersion: options.minVersion }),
    requires: options.requires ?? [],
    ...(options.services === undefined || options.services.length === 0 ? {} : { services: options.services }),
    notes: options.notes ?? '',
    created: (options.created ?? new Date()).toISOString(),
    images,
  });
  const imageDraft = (source: BundleImageSource, digests: Pick<ImageDraft, 'compressed' | 'uncompressed'>): ImageDraft => ({
    name: source.name,
    slot: source.slot ?? source.name,
    compression: 'zstd',
    ...digests,
  });
  // Refuse bad input before spending minutes compressing gigabytes.
  layoutManifest(draftOf(options.images.map((source) => imageDraft(source, { compressed: PLACEHOLDER, uncompressed: PLACEHOLDER }))));
  for (const source of options.images) await assertReadableImage(source);

  const dir = dirname(options.out);
  const tag = randomBytes(6).toString('hex');
  const temporaries: string[] = [];
  try {
    const drafts: ImageDraft[] = [];
    for (const [index, source] of options.images.entries()) {
      const temporary = join(dir, `.${basename(options.out)}.${tag}.${index}.zst.tmp`);
      temporaries.push(temporary);
      drafts.push(imageDraft(source, await compressImage(source.path, temporary, level)));
    }
    return await writeBundle(draftOf(drafts), temporaries, options.key, options.out);
  } finally {
    await Promise.all(temporaries.map((path) => unlink(path).catch(() => undefined)));
  }
}

/**
 * Lays out and signs the manifest, then writes header, manifest, signature block and the payload
 * files (one per image, in order, already compressed or patched: their lengths and hashes are in
 * the draft) to a temporary `.OUT.*.partial`, fsyncs it and renames it over OUT. Used for full
 * bundles (above) and delta bundles (DeltaBundleWriter).
 */
export async function writeBundle(
  draft: ManifestDraft,
  payloads: readonly string[],
  key: SigningKey,
  out: string,
): Promise<{ manifest: BundleManifest; length: number }> {
  if (payloads.length !== draft.images.length) throw new Error(`writeBundle: ${draft.images.length} images but ${payloads.length} payload files`);
  const dir = dirname(out);
  const partial = join(dir, `.${basename(out)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    const { manifest, bytes } = layoutManifest(draft);
    const keyId = fromHex(key.keyId)!;
    const signature = key.sign(bytes);

    const handle = await open(partial, 'wx', 0o644);
    let position = 0;
    try {
      for (const part of [
        encodeBundleHeader({ formatVersion: BUNDLE_FORMAT_VERSION, manifestLength: bytes.length }),
        bytes,
        encodeSignatureBlock({ keyId, signature }),
      ]) {
        position += await writeAll(handle, part, position);
      }
      for (const [index, payload] of payloads.entries()) {
        const image = manifest.images[index]!;
        if (position !== image.offset) throw new Error(`bundle layout: image ${index} at ${position}, manifest says ${image.offset}`);
        for await (const chunk of createReadStream(payload, { highWaterMark: COPY_CHUNK }))
          position += await writeAll(handle, chunk as Buffer, position);
        // The manifest's length came from this file: a file changed meanwhile must not be signed for.
        if (position !== image.offset + image.compressed.length) throw new Error(`bundle payload ${payload} changed size while being written`);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, out);
    await fsyncDirectory(dir);
    return { manifest, length: position };
  } finally {
    await unlink(partial).catch(() => undefined);
  }
}

/** Streams one image through SHA-256, zstd and SHA-256 into `destination`. */
async function compressImage(path: string, destination: string, level: number): Promise<Pick<ImageDraft, 'compressed' | 'uncompressed'>> {
  const uncompressedHash = createHash('sha256');
  const compressedHash = createHash('sha256');
  let uncompressedLength = 0;
  let compressedLength = 0;
  await pipeline(
    createReadStream(path, { highWaterMark: COPY_CHUNK }),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        uncompressedHash.update(chunk);
        uncompressedLength += chunk.length;
        yield chunk;
      }
    },
    new CompressStream({ compressionLevel: level }),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        compressedHash.update(chunk);
        compressedLength += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(destination, { flags: 'wx', mode: 0o600 }),
  );
  return {
    compressed: { length: compressedLength, sha256: compressedHash.digest('hex') },
    uncompressed: { length: uncompressedLength, sha256: uncompressedHash.digest('hex') },
  };
}

async function assertReadableImage(source: BundleImageSource): Promise<void> {
  let info;
  try {
    info = await stat(source.path);
  } catch (error) {
    throw new AppError('INVALID_INPUT', `Image "${source.name}": cannot read ${source.path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, [
      { path: `images.${source.name}`, message: 'unreadable' },
    ]);
  }
  if (!info.isFile() && !info.isBlockDevice())
    throw new AppError('INVALID_INPUT', `Image "${source.name}": ${source.path} is not a file.`, [
      { path: `images.${source.name}`, message: 'not a file' },
    ]);
}

async function writeAll(handle: import('node:fs/promises').FileHandle, data: Uint8Array, position: number): Promise<number> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written, position + written);
    written += bytesWritten;
  }
  return written;
}
