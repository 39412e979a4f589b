import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../../src/api/errors.js';
import { patchToolError } from '../../../src/update/delta.js';
import { FILE_DELTA_COMPRESSION } from '../../../src/update/fileDelta.js';
import type { BundleManifest, ImageDraft, ImageEntry, ManifestDraft } from '../../../src/update/manifest.js';
import type { MeasuredDigest, TrustedKey } from '../../../src/update/verify.js';
import { BundleReader } from '../../services/update/BundleReader.js';
import { writeBundle } from './BundleWriter.js';
import { applyDelta } from '../../services/update/DeltaApplier.js';
import type { SigningKey } from '../keys/signingKeys.js';
import { isExt4Image } from './fileDelta/ext4Files.js';
import { writeFileDelta, type FileDeltaReport } from './fileDelta/FileDeltaWriter.js';

export interface CreateDeltaBundleOptions {
  /** The full bundle whose images the device has installed. */
  from: string;
  /** The full bundle whose images the delta rebuilds. */
  to: string;
  /** Keys that may have signed `from` and `to` (both are verified before anything is made of them). */
  trusted: readonly TrustedKey[];
  key: SigningKey;
  out: string;
  created?: Date;
  /** The zstd executable (default: `zstd` on the PATH). */
  zstd?: string;
  /**
   * How each image is diffed: `file` a file-aware delta (hsdelta-1, ext4 images only), `image` one
   * zstd patch of the whole image, `auto` (the default) both where the image is ext4, keeping the
   * smaller; an image that is not ext4 (or that debugfs cannot read) always gets the whole-image patch.
   */
  method?: DeltaMethod;
}

export type DeltaMethod = 'auto' | 'file' | 'image';

export interface DeltaImageReport {
  name: string;
  /** The new image's uncompressed length. */
  targetLength: number;
  /** The patch's length. */
  patchLength: number;
  /** The image's compressed length in the full `to` bundle, for comparison. */
  fullLength: number;
  /** The payload's kind: a whole-image zstd patch, or a file-aware delta. */
  compression: ImageEntry['compression'];
  /** The file-aware delta's make-up, when one was made (kept or not), and the whole-image patch's length, when made. */
  fileDelta?: FileDeltaReport;
  imagePatchLength?: number;
}

/**
 * Made with exactly this command line (plus -q and the file names): see docs/bundle-format.md.
 * Level 22 (btultra2, longer searches) makes patches about a quarter smaller than -19 on a
 * security update of a real image, costs seconds on the operator's machine, and applies as fast:
 * the window stays --long=27, so the device needs no more memory.
 */
export const PATCH_CREATE_ARGS = ['--ultra', '-22', '--long=27'] as const;

/**
 * Builds a delta bundle (docs/bundle-format.md, "Delta bundles") that rebuilds `to`'s images from
 * the slot holding `from`'s. Both bundles are verified (signature and every payload, decompressed);
 * their images are streamed into a private temporary folder beside OUT, each new image is diffed
 * against its old one with `zstd --ultra -22 --long=27 --patch-from=OLD NEW`, each patch is applied once
 * (with the device's own DeltaApplier) to prove it rebuilds the new image, and the patches are
 * written as the payloads of a signed bundle. The temporary folder is removed on success and
 * failure. Disk: both bundles' uncompressed images plus the patches, meanwhile.
 */
export async function createDeltaBundle(
  options: CreateDeltaBundleOptions,
): Promise<{ manifest: BundleManifest; length: number; images: DeltaImageReport[] }> {
  const zstd = options.zstd ?? 'zstd';
  const work = await mkdtemp(join(dirname(options.out), `.${basename(options.out)}.delta-`));
  try {
    const from = await extractImages(options.from, options.trusted, join(work, 'from'));
    const to = await extractImages(options.to, options.trusted, join(work, 'to'));
    checkPair(from.manifest, to.manifest);

    const drafts: ImageDraft[] = [];
    const patches: string[] = [];
    const reports: DeltaImageReport[] = [];
    for (const target of to.manifest.images) {
      const source = from.manifest.images.find((image) => image.name === target.name)!;
      const oldImage = from.files.get(source.name)!;
      const newImage = to.files.get(target.name)!;
      const method = options.method ?? 'auto';
      const ext4 = method !== 'image' && (await isExt4Image(oldImage)) && (await isExt4Image(newImage));
      if (method === 'file' && !ext4)
        throw new AppError('INVALID_INPUT', `Image "${target.name}" is not an ext4 image: a file-aware delta needs one.`, [
          { path: 'method', message: 'file needs ext4 images' },
        ]);
      let fileDelta: FileDeltaReport | undefined;
      const filePatch = join(work, `${target.name}.hsdelta`);
      if (ext4) {
        try {
          fileDelta = await writeFileDelta(oldImage, newImage, filePatch, { tools: { zstd } });
        } catch (error) {
          // An image debugfs cannot map still gets the whole-image patch (unless only the file-aware one was asked for).
          if (method === 'file') throw error;
        }
      }
      let imagePatchLength: number | undefined;
      const imagePatch = join(work, `${target.name}.patch.zst`);
      if (method !== 'file') {
        await makePatch(zstd, target.name, oldImage, newImage, imagePatch);
        imagePatchLength = (await stat(imagePatch)).size;
      }
      const useFile = fileDelta !== undefined && (imagePatchLength === undefined || fileDelta.payloadLength < imagePatchLength);
      const patch = useFile ? filePatch : imagePatch;
      const draft: ImageDraft = {
        name: target.name,
        slot: target.slot,
        compression: useFile ? FILE_DELTA_COMPRESSION : 'zstd',
        compressed: await digestFile(patch),
        uncompressed: target.uncompressed,
        delta: { fromVersion: from.manifest.version, sourceLength: source.uncompressed.length, sourceSha256: source.uncompressed.sha256 },
      };
      await proveApplies({ ...draft, offset: 0 }, patch, oldImage, work, zstd);
      drafts.push(draft);
      patches.push(patch);
      reports.push({
        name: target.name,
        targetLength: target.uncompressed.length,
        patchLength: draft.compressed.length,
        fullLength: target.compressed.length,
        compression: draft.compression,
        ...(fileDelta ? { fileDelta } : {}),
        ...(imagePatchLength === undefined ? {} : { imagePatchLength }),
      });
    }
    const { minVersion, requires, notes, version, compatible, services } = to.manifest;
    const draft: ManifestDraft = {
      version,
      compatible,
      ...(minVersion === undefined ? {} : { minVersion }),
      requires,
      ...(services === undefined ? {} : { services }),
      notes,
      created: (options.created ?? new Date()).toISOString(),
      kind: 'delta',
      images: drafts,
    };
    const written = await writeBundle(draft, patches, options.key, options.out);
    return { ...written, images: reports };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Verifies a full bundle and streams each decompressed (and checked) image into `dir/NAME.img`. */
async function extractImages(
  bundle: string,
  trusted: readonly TrustedKey[],
  prefix: string,
): Promise<{ manifest: BundleManifest; files: Map<string, string> }> {
  const reader = await BundleReader.open(bundle, { trusted });
  const files = new Map<string, string>();
  try {
    if (reader.manifest.kind === 'delta')
      throw new AppError('INVALID_INPUT', `${bundle} is a delta bundle; a delta is made from two full bundles.`, [
        { path: bundle, message: 'a delta bundle' },
      ]);
    for await (const payload of reader.payloads()) {
      const file = `${prefix}.${payload.image.name}.img`;
      files.set(payload.image.name, file);
      // decompressed() checks the signed uncompressed length and hash as the image streams.
      await pipeline(Readable.from(payload.decompressed(), { objectMode: false }), createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    }
    if (!reader.fullyVerified) throw new Error(`${bundle} was not fully verified`);
    return { manifest: reader.manifest, files };
  } finally {
    await reader.close();
  }
}

/** The two bundles must be for the same model and have the same images in the same slots. */
function checkPair(from: BundleManifest, to: BundleManifest): void {
  const refuse = (message: string) => {
    throw new AppError('INVALID_INPUT', message, [{ path: 'from', message }]);
  };
  if (from.compatible !== to.compatible) refuse(`The bundles are for different models (${from.compatible}, ${to.compatible}).`);
  const describe = (manifest: BundleManifest) =>
    manifest.images
      .map((image) => `${image.name}:${image.slot}`)
      .sort()
      .join(', ');
  if (describe(from) !== describe(to)) refuse(`The bundles do not have the same images and slots (${describe(from)} vs ${describe(to)}).`);
}

async function makePatch(zstd: string, image: string, oldImage: string, newImage: string, out: string): Promise<void> {
  const result = await run(zstd, ['-q', ...PATCH_CREATE_ARGS, `--patch-from=${oldImage}`, newImage, '-o', out]);
  // zstd -19 prints parser advice on stderr even with -q; only the exit status tells failure.
  if (result.spawnError !== undefined || result.code !== 0) {
    throw patchToolError({
      operation: 'create',
      image,
      exitCode: result.code,
      signal: result.signal,
      stderr: result.stderr,
      ...(result.spawnError === undefined ? {} : { spawnError: result.spawnError }),
    });
  }
}

/** Applies the patch to the old image as a device will; anything but the new image is the tool's failure. */
async function proveApplies(image: ImageEntry, patch: string, oldImage: string, work: string, zstd: string): Promise<void> {
  try {
    for await (const _chunk of applyDelta({ image, patch: createReadStream(patch), sourcePath: oldImage, tempDir: work, zstd })) {
      // applyDelta checks the output's length and hash.
    }
  } catch (error) {
    if (error instanceof AppError && error.code !== 'DELTA_TOOL_FAILED') {
      throw new AppError('DELTA_TOOL_FAILED', `Image "${image.name}": the patch zstd made does not rebuild the new image (${error.message}).`, {
        image: image.name,
        operation: 'create',
        cause: error.code,
      });
    }
    throw error;
  }
}

async function digestFile(path: string): Promise<MeasuredDigest> {
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  return { length, sha256: hash.digest('hex') };
}

function run(command: string, args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; spawnError?: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < 16 * 1024) stderr += text;
    });
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, stderr, spawnError: error.code ?? error.message }));
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}
