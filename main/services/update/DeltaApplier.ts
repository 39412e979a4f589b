import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../../src/api/errors.js';
import { ZSTD_DEFAULT_WINDOW, checkDeltaSource, isDeltaImage, patchMemoryLimit, patchToolError, type DeltaImage } from '../../../src/update/delta.js';
import type { ImageEntry } from '../../../src/update/manifest.js';
import { checkPayloadDigest, type MeasuredDigest } from '../../../src/update/verify.js';

const READ_CHUNK = 1024 * 1024;
/** Enough of zstd's stderr to explain a failure; a runaway stream is not kept whole. */
const STDERR_LIMIT = 16 * 1024;

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

export interface ApplyDeltaOptions {
  /** The delta image's entry from the bundle's verified manifest (it has `delta`). */
  image: ImageEntry;
  /**
   * The patch as it streams out of the bundle (`BundlePayload.chunks()`), which the bundle reader
   * checks against the signed length and hash and fails at its end if they differ.
   */
  patch: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** The installed slot holding the source image in its first sourceLength bytes: a file or a block device. */
  sourcePath: string;
  /** Where a temporary copy of the source goes when one is needed (default: the OS temporary folder). Needs sourceLength bytes free. */
  tempDir?: string;
  /** The zstd executable (default: `zstd` on the PATH). */
  zstd?: string;
  /** Told how the source was provided, once it has been checked. */
  onSource?: (how: SourceProvision) => void;
}

/**
 * Applies a delta image: yields the target image's bytes, rebuilt by `zstd -d --long=27
 * --patch-from=SOURCE -c` from the patch streamed to its stdin. In order:
 *
 * 1. the source's first sourceLength bytes are hashed and compared with the signed sourceSha256
 *    (DELTA_SOURCE_MISMATCH) before zstd starts and before any byte is yielded, so a consumer that
 *    writes what it gets has written nothing;
 * 2. the output is counted and hashed as it streams: one byte past the signed length stops it
 *    (BUNDLE_PAYLOAD_MISMATCH), and the hash is compared when it ends;
 * 3. the iteration ends only when zstd exited 0 with nothing on stderr, the patch stream ended
 *    without error (its own signed hash), and the output matched. Until then, like every payload,
 *    the bytes are unverified.
 *
 * A zstd failure becomes BUNDLE_PAYLOAD_MISMATCH when zstd says the patch does not decode, else
 * DELTA_TOOL_FAILED (src/update/delta.ts). Stopping the iteration early kills zstd. Memory: zstd
 * holds the source and a window as large as the target image.
 */
export async function* applyDelta(options: ApplyDeltaOptions): AsyncGenerator<Buffer, void, undefined> {
  const image = requireDeltaImage(options.image);
  const source = await prepareDeltaSource(image, options.sourcePath, options.tempDir);
  try {
    options.onSource?.(source.how);
    yield* runPatch(image, options.patch, source.path, options.zstd ?? 'zstd');
  } finally {
    await source.release();
  }
}

/**
 * Checks that the source holds the delta's source image (DELTA_SOURCE_MISMATCH otherwise) without
 * applying anything: an installer calls it before it touches the target slot.
 */
export async function checkDeltaSourceFile(image: ImageEntry, sourcePath: string): Promise<void> {
  const delta = requireDeltaImage(image);
  checkDeltaSource(delta, await hashPrefix(sourcePath, delta.delta.sourceLength));
}

/** A checked regular file of exactly sourceLength bytes, made only when the source is not one already. */
export async function prepareDeltaSource(image: DeltaImage, sourcePath: string, tempDir = tmpdir()): Promise<PreparedSource> {
  const { sourceLength } = image.delta;
  const info = await stat(sourcePath);
  if (info.isFile() && info.size === sourceLength) {
    checkDeltaSource(image, await hashPrefix(sourcePath, sourceLength));
    return { path: sourcePath, how: 'direct', release: async () => undefined };
  }
  // A regular file shorter than the image cannot hold it: refuse before copying anything.
  if (info.isFile() && info.size < sourceLength) checkDeltaSource(image, await hashPrefix(sourcePath, sourceLength));

  const dir = await mkdtemp(join(tempDir, 'hc-delta-source-'));
  const release = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, `${image.name}.img`);
  try {
    // The copy is private (mode 0600 in a 0700 folder) and checked after it was made: what zstd
    // reads is exactly what was hashed, whatever happens to the slot meanwhile.
    let how: SourceProvision = 'copy';
    let digest: MeasuredDigest | undefined;
    if (info.isFile() && (await reflinkPrefix(sourcePath, path, sourceLength))) {
      how = 'reflink';
      digest = await hashPrefix(path, sourceLength);
    } else {
      digest = await copyPrefix(sourcePath, path, sourceLength);
    }
    checkDeltaSource(image, digest);
    return { path, how, release };
  } catch (error) {
    await release();
    throw error;
  }
}

function requireDeltaImage(image: ImageEntry): DeltaImage {
  if (!isDeltaImage(image)) throw new Error(`image "${image.name}" is not a delta image (no source in the manifest)`);
  return image;
}

/** SHA-256 and length of the first `length` bytes (fewer if the file is shorter). */
async function hashPrefix(path: string, length: number): Promise<MeasuredDigest> {
  const hash = createHash('sha256');
  let read = 0;
  if (length > 0) {
    for await (const chunk of createReadStream(path, { start: 0, end: length - 1, highWaterMark: READ_CHUNK })) {
      hash.update(chunk as Buffer);
      read += (chunk as Buffer).length;
    }
  }
  return { length: read, sha256: hash.digest('hex') };
}

/** Copies the first `length` bytes to a new file, hashing them on the way. */
async function copyPrefix(source: string, destination: string, length: number): Promise<MeasuredDigest> {
  const hash = createHash('sha256');
  let copied = 0;
  await pipeline(
    length > 0 ? createReadStream(source, { start: 0, end: length - 1, highWaterMark: READ_CHUNK }) : Readable.from([]),
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        copied += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(destination, { flags: 'wx', mode: 0o600 }),
  );
  return { length: copied, sha256: hash.digest('hex') };
}

/** Clones the file (no data copied) and cuts it to `length`; false where reflinks do not work. */
async function reflinkPrefix(source: string, destination: string, length: number): Promise<boolean> {
  try {
    await copyFile(source, destination, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE_FORCE);
  } catch {
    // ENOTSUP/EOPNOTSUPP (ext4, tmpfs), EXDEV (another file system), ENOSYS: copy instead.
    await rm(destination, { force: true });
    return false;
  }
  await truncate(destination, length);
  return true;
}

async function* runPatch(image: DeltaImage, patch: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, reference: string, zstd: string): AsyncGenerator<Buffer, void, undefined> {
  const limit = patchMemoryLimit(image.delta.sourceLength, image.uncompressed.length);
  // -q: no progress, but errors still on stderr. --long=27 as the patch was made; --memory only when
  // the image needs a wider window than that (patchMemoryLimit).
  const args = ['-d', '-q', '--long=27', ...(limit > ZSTD_DEFAULT_WINDOW ? [`--memory=${limit}`] : []), `--patch-from=${reference}`, '-c'];
  const child = spawn(zstd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += text.slice(0, STDERR_LIMIT - stderr.length);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: string }>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, spawnError: error.code ?? error.message }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  // Feeds the patch to zstd. Its failure (the payload's own length/hash check) is kept, not thrown
  // here: it decides the outcome below, ahead of what zstd makes of a cut stream.
  const feeding = new AbortController();
  const fed = pipeline(Readable.from(patch, { objectMode: false }), child.stdin, { signal: feeding.signal }).then(
    () => undefined,
    (error: unknown) => error,
  );

  const hash = createHash('sha256');
  let length = 0;
  let finished = false;
  try {
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        length += chunk.length;
        // Stop at the first byte past the signed length, not at the end of a runaway stream.
        if (length > image.uncompressed.length) checkPayloadDigest(image, 'uncompressed', { length, sha256: '' });
        hash.update(chunk);
        yield chunk;
      }
    } catch (error) {
      // zstd's output stopped with an error: the cause is more likely the input's or zstd's own.
      const inputError = await settleEarly(fed);
      if (inputError instanceof AppError) throw inputError;
      throw error;
    }
    const status = await exited;
    // zstd only exits on its own once stdin ended or when it failed; after a failure, stop feeding it.
    if (status.code !== 0) feeding.abort();
    const inputError = await fed;
    if (inputError instanceof AppError) throw inputError;
    if (status.spawnError !== undefined || status.code !== 0 || stderr.trim() !== '') {
      throw patchToolError({ operation: 'apply', image: image.name, exitCode: status.code, signal: status.signal, stderr, ...(status.spawnError === undefined ? {} : { spawnError: status.spawnError }) });
    }
    if (inputError !== undefined) throw inputError;
    checkPayloadDigest(image, 'uncompressed', { length, sha256: hash.digest('hex') });
    finished = true;
  } finally {
    if (!finished) {
      feeding.abort();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await exited;
    await fed;
  }
}

/** The input's outcome if it is already known or arrives within a moment; undefined otherwise. */
async function settleEarly(fed: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 100)));
  try {
    return await Promise.race([fed, late]);
  } finally {
    clearTimeout(timer);
  }
}
