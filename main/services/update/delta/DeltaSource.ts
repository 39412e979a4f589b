import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDeltaSource, isDeltaImage, type DeltaImage } from '../../../../src/update/delta.js';
import type { ImageEntry } from '../../../../src/update/manifest.js';
import type { MeasuredDigest } from '../../../../src/update/verify.js';
import { copyPrefix, hashPrefix, reflinkPrefix } from './filePrefix.js';

/**
 * How the patch reference was provided to zstd:
 * - `direct`: the source file is exactly the image (sourceLength bytes), used as it is;
 * - `reflink`: the source (a bigger slot file) was cloned (FICLONE, no data copied) and truncated;
 * - `copy`: the first sourceLength bytes were copied to a temporary file (a block device, or a
 *   file system without reflinks).
 * zstd's `--patch-from` takes the WHOLE file as the reference (its matches count back from the
 * reference's end), so a slot larger than the image cannot be passed as it is, and the CLI refuses
 * a pipe or FIFO there ("--patch-from with stdin requires --stream-size"): a regular file of exactly
 * sourceLength bytes is needed.
 */
export type SourceProvision = 'direct' | 'reflink' | 'copy';

export interface PreparedSource {
  /** A regular file of exactly sourceLength bytes, already checked against sourceSha256. */
  path: string;
  how: SourceProvision;
  /** Removes the temporary copy, if one was made. */
  release(): Promise<void>;
}

/**
 * Proof that a source was hash-checked against a delta image's signed sourceSha256, as
 * `checkDeltaSourceFile` returns it: an applier given it does not hash the source a second time.
 */
export interface CheckedSource {
  readonly image: string;
  readonly path: string;
  readonly sourceSha256: string;
  readonly length: number;
  /**
   * Where the source is not already a file of exactly `length` bytes and the check was asked for a
   * copy (`copyDir`): a private file (0600) holding exactly the bytes that were hashed, made from
   * the same read (or a reflink clone that was then hashed), for zstd to take as its reference. Its
   * owner is whoever asked for it: the applier uses it and never removes it.
   */
  readonly reference?: { readonly path: string; readonly how: 'reflink' | 'copy' };
}

export function requireDeltaImage(image: ImageEntry): DeltaImage {
  if (!isDeltaImage(image)) throw new Error(`image "${image.name}" is not a delta image (no source in the manifest)`);
  return image;
}

/**
 * Checks that the source holds the delta's source image (DELTA_SOURCE_MISMATCH otherwise) without
 * applying anything: an installer calls it before it touches the target slot.
 *
 * `copyDir`: where the source is not a regular file of exactly sourceLength bytes (a slot larger
 * than the image, a block device), the check also makes zstd's reference there (`reference`), in
 * the same pass: each chunk read is hashed and written, so the source is read once and the copy
 * holds exactly the bytes that matched the signed hash. The folder is made private (0700); the
 * caller owns the file and removes it. A source that does not match leaves no file.
 */
export async function checkDeltaSourceFile(image: ImageEntry, sourcePath: string, options: { copyDir?: string } = {}): Promise<CheckedSource> {
  const delta = requireDeltaImage(image);
  const { sourceLength } = delta.delta;
  const checked = { image: delta.name, path: sourcePath, sourceSha256: delta.delta.sourceSha256, length: sourceLength };
  const info = options.copyDir === undefined ? undefined : await stat(sourcePath);
  if (options.copyDir === undefined || !info || (info.isFile() && info.size <= sourceLength)) {
    checkDeltaSource(delta, await hashPrefix(sourcePath, sourceLength));
    return Object.freeze(checked);
  }
  await mkdir(options.copyDir, { recursive: true, mode: 0o700 });
  await chmod(options.copyDir, 0o700);
  const path = join(options.copyDir, `${delta.name}.source.img`);
  await rm(path, { force: true });
  try {
    let how: 'reflink' | 'copy' = 'copy';
    let digest: MeasuredDigest;
    if (info.isFile() && (await reflinkPrefix(sourcePath, path, sourceLength))) {
      // The clone is hashed, not the slot: zstd reads what was hashed.
      how = 'reflink';
      digest = await hashPrefix(path, sourceLength);
    } else {
      const hash = createHash('sha256');
      digest = { length: await copyPrefix(sourcePath, path, sourceLength, hash), sha256: hash.digest('hex') };
    }
    checkDeltaSource(delta, digest);
    return Object.freeze({ ...checked, reference: Object.freeze({ path, how }) });
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/** The caller's check, if it is one of this very source for this very image; else undefined. */
export function checkOfThisSource(checked: CheckedSource | undefined, image: DeltaImage, sourcePath: string): CheckedSource | undefined {
  if (checked === undefined) return undefined;
  const same =
    checked.image === image.name &&
    checked.path === sourcePath &&
    checked.sourceSha256 === image.delta.sourceSha256 &&
    checked.length === image.delta.sourceLength;
  return same ? checked : undefined;
}

/**
 * A checked regular file of exactly sourceLength bytes, made only when the source is not one
 * already. `checked`: the caller has just checked the source; it is not hashed again, and its
 * reference copy, if it made one, is used as it is (and left to the caller to remove).
 */
export async function prepareDeltaSource(
  image: DeltaImage,
  sourcePath: string,
  tempDir = tmpdir(),
  checked?: CheckedSource,
): Promise<PreparedSource> {
  const { sourceLength } = image.delta;
  if (checked?.reference) {
    const reference = await stat(checked.reference.path).catch(() => undefined);
    if (reference?.isFile() && reference.size === sourceLength)
      return { path: checked.reference.path, how: checked.reference.how, release: async () => undefined };
  }
  // Without its reference (gone since), a check is only taken for the source file itself.
  const alreadyChecked = checked !== undefined && checked.reference === undefined;
  const info = await stat(sourcePath);
  if (info.isFile() && info.size === sourceLength) {
    if (!alreadyChecked) checkDeltaSource(image, await hashPrefix(sourcePath, sourceLength));
    return { path: sourcePath, how: 'direct', release: async () => undefined };
  }
  // A regular file shorter than the image cannot hold it: refuse before copying anything.
  if (info.isFile() && info.size < sourceLength) checkDeltaSource(image, await hashPrefix(sourcePath, sourceLength));

  const dir = await mkdtemp(join(tempDir, 'hc-delta-source-'));
  const release = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, `${image.name}.img`);
  try {
    // The copy is private (mode 0600 in a 0700 folder). Unchecked, it is checked after it was
    // made: what zstd reads is exactly what was hashed, whatever happens to the slot meanwhile.
    let how: SourceProvision = 'copy';
    let digest: MeasuredDigest | undefined;
    if (info.isFile() && (await reflinkPrefix(sourcePath, path, sourceLength))) {
      how = 'reflink';
      if (!alreadyChecked) digest = await hashPrefix(path, sourceLength);
    } else if (alreadyChecked) {
      const copied = await copyPrefix(sourcePath, path, sourceLength);
      if (copied !== sourceLength) checkDeltaSource(image, { length: copied, sha256: '' });
    } else {
      const hash = createHash('sha256');
      digest = { length: await copyPrefix(sourcePath, path, sourceLength, hash), sha256: hash.digest('hex') };
    }
    if (digest) checkDeltaSource(image, digest);
    return { path, how, release };
  } catch (error) {
    await release();
    throw error;
  }
}
