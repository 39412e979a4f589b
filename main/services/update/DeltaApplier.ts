import { spawn } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, open, readFile, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../../src/api/errors.js';
import { ZSTD_DEFAULT_WINDOW, checkDeltaSource, isDeltaImage, patchMemoryLimit, patchToolError, type DeltaImage } from '../../../src/update/delta.js';
import type { ImageEntry } from '../../../src/update/manifest.js';
import { checkPayloadDigest, type MeasuredDigest } from '../../../src/update/verify.js';
import type { SlotFiller } from './SlotWriter.js';

const READ_CHUNK = 1024 * 1024;
/** Copy buffers: large, so a copy of a source is a few hundred system calls. */
const COPY_CHUNK = 8 * 1024 * 1024;
/**
 * zstd's output kept in memory ahead of the consumer (the slot writer) before zstd is paused: the
 * pipe alone (64 KiB) would make zstd wait for every write, taking turns instead of overlapping.
 */
const OUTPUT_AHEAD = 16 * 1024 * 1024;
/** Enough of zstd's stderr to explain a failure; a runaway stream is not kept whole. */
const STDERR_LIMIT = 16 * 1024;
/** How often zstd's position in the slot is read while it writes: progress, and a runaway stopped. */
const POSITION_POLL_MS = 50;

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
  /**
   * The caller's own check of this source (the installer checks every source before it touches
   * the target slot): the source is then not hashed again, and its `reference` copy, if any, is
   * what zstd reads. A source file used directly and changed after that check cannot slip through
   * either: the output is still checked against the signed target length and hash.
   */
  checkedSource?: CheckedSource;
}

/**
 * Applies a delta image: yields the target image's bytes, rebuilt by `zstd -d --long=27
 * --patch-from=SOURCE -c` from the patch streamed to its stdin. In order:
 *
 * 1. the source's first sourceLength bytes are hashed and compared with the signed sourceSha256
 *    (DELTA_SOURCE_MISMATCH) before zstd starts and before any byte is yielded, so a consumer that
 *    writes what it gets has written nothing; unless the caller passes its own check of it
 *    (`checkedSource`, from checkDeltaSourceFile), which is then not repeated;
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
  const source = await prepareDeltaSource(image, options.sourcePath, options.tempDir, checkOf(options, image));
  try {
    options.onSource?.(source.how);
    yield* runPatch(image, options.patch, source.path, options.zstd ?? 'zstd');
  } finally {
    await source.release();
  }
}

/**
 * The same as applyDelta, as a SlotFiller: `fillSlot` gives zstd the slot itself as its output
 * (`-c` into the slot's file, `--no-sparse`), so no byte of the image passes through this process
 * or a pipe. The source is checked (or taken as checked) and zstd's exit and the patch's own signed
 * hash judged exactly as in applyDelta, but the output is not hashed here: the caller reads the
 * slot back and checks it against the signed length and hash (writeImageToSlot does). While zstd
 * writes, its position is polled (Linux /proc): progress, and zstd is stopped one poll after it
 * passes the signed length. `chunks()` streams instead, as applyDelta.
 */
export function deltaSlotFiller(options: ApplyDeltaOptions): SlotFiller {
  return {
    chunks: () => applyDelta(options),
    async fillSlot(slot, fill) {
      const image = requireDeltaImage(options.image);
      const source = await prepareDeltaSource(image, options.sourcePath, options.tempDir, checkOf(options, image));
      try {
        options.onSource?.(source.how);
        return await runPatchInto(image, options.patch, source.path, options.zstd ?? 'zstd', slot, fill);
      } finally {
        await source.release();
      }
    },
  };
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

/** The caller's check of this very source, if it passed one. */
function checkOf(options: ApplyDeltaOptions, image: DeltaImage): CheckedSource | undefined {
  const checked = options.checkedSource;
  if (checked === undefined) return undefined;
  const same =
    checked.image === image.name &&
    checked.path === options.sourcePath &&
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

/**
 * Copies the first `length` bytes to a new private file (0600, never an existing one) with large
 * buffers, the next read under way while a chunk is hashed (`hash`, if given) and written: one
 * read of the source for both. Returns how many bytes there were (fewer if the source is shorter).
 */
async function copyPrefix(source: string, destination: string, length: number, hash?: Hash): Promise<number> {
  const input = await open(source, 'r');
  try {
    const output = await open(destination, 'wx', 0o600);
    try {
      const size = Math.min(COPY_CHUNK, Math.max(length, 1));
      // Three buffers: one being read, one being written, one being hashed between the two.
      const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
      const readAt = (turn: number, at: number) =>
        at >= length ? Promise.resolve(0) : input.read(buffers[turn % 3]!, 0, Math.min(size, length - at), at).then((r) => r.bytesRead);
      let copied = 0;
      let writing: Promise<unknown> = Promise.resolve();
      let reading = readAt(0, 0);
      try {
        for (let turn = 0; ; turn++) {
          const bytesRead = await reading;
          if (bytesRead === 0) break;
          const chunk = buffers[turn % 3]!.subarray(0, bytesRead);
          reading = readAt(turn + 1, copied + bytesRead);
          hash?.update(chunk);
          await writing;
          writing = writeAll(output, chunk, copied);
          copied += bytesRead;
        }
        await writing;
        return copied;
      } finally {
        // On a failure, nothing is left in flight on the handles about to be closed.
        await Promise.allSettled([reading, writing]);
      }
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

async function writeAll(handle: Awaited<ReturnType<typeof open>>, bytes: Buffer, at: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written, at + written)).bytesWritten;
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

async function* runPatch(
  image: DeltaImage,
  patch: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  reference: string,
  zstd: string,
): AsyncGenerator<Buffer, void, undefined> {
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
  const output = readAhead(child.stdout, OUTPUT_AHEAD, (chunk) => {
    length += chunk.length;
    // Stop at the first byte past the signed length, not at the end of a runaway stream.
    if (length > image.uncompressed.length) checkPayloadDigest(image, 'uncompressed', { length, sha256: '' });
    hash.update(chunk);
  });
  try {
    try {
      yield* output;
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
      throw patchToolError({
        operation: 'apply',
        image: image.name,
        exitCode: status.code,
        signal: status.signal,
        stderr,
        ...(status.spawnError === undefined ? {} : { spawnError: status.spawnError }),
      });
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

/** zstd writing straight into `slot` (its file position must be 0); resolves with the bytes written. */
async function runPatchInto(
  image: DeltaImage,
  patch: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  reference: string,
  zstd: string,
  slot: FileHandle,
  fill: { onProgress?: (bytes: number) => void; signal?: AbortSignal },
): Promise<number> {
  fill.signal?.throwIfAborted();
  const limit = patchMemoryLimit(image.delta.sourceLength, image.uncompressed.length);
  // --no-sparse: zstd would otherwise seek over runs of zeros, leaving the slot's old bytes there.
  const args = [
    '-d',
    '-q',
    '--long=27',
    '--no-sparse',
    ...(limit > ZSTD_DEFAULT_WINDOW ? [`--memory=${limit}`] : []),
    `--patch-from=${reference}`,
    '-c',
  ];
  const child = spawn(zstd, args, { stdio: ['pipe', slot.fd, 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  const { stdin, stderr: errors } = child as unknown as { stdin: NodeJS.WritableStream; stderr: NodeJS.ReadableStream };
  let stderr = '';
  errors.setEncoding('utf8');
  errors.on('data', (text: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += text.slice(0, STDERR_LIMIT - stderr.length);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: string }>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, spawnError: error.code ?? error.message }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const feeding = new AbortController();
  const fed = pipeline(Readable.from(patch, { objectMode: false }), stdin, { signal: feeding.signal }).then(
    () => undefined,
    (error: unknown) => error,
  );
  const stop = () => {
    feeding.abort();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  fill.signal?.addEventListener('abort', stop, { once: true });
  let runaway: number | undefined;
  let polling = false;
  let over = false;
  const poll = setInterval(() => {
    if (polling || child.pid === undefined) return;
    polling = true;
    void filePosition(`/proc/${child.pid}/fdinfo/1`)
      .then((at) => {
        if (at === undefined || over) return; // a late answer: the final count is given below
        if (at > image.uncompressed.length) {
          runaway = at;
          stop();
        } else fill.onProgress?.(at);
      })
      .finally(() => (polling = false));
  }, POSITION_POLL_MS);
  let finished = false;
  try {
    const status = await exited;
    over = true;
    clearInterval(poll);
    fill.signal?.throwIfAborted();
    if (status.code !== 0) feeding.abort();
    const inputError = await fed;
    if (inputError instanceof AppError) throw inputError;
    // The slot's file position is shared with zstd: where it stopped is how much it wrote.
    const written = (await filePosition(`/proc/self/fdinfo/${slot.fd}`)) ?? runaway;
    if (runaway !== undefined || (written !== undefined && written > image.uncompressed.length))
      checkPayloadDigest(image, 'uncompressed', { length: written ?? runaway!, sha256: '' });
    if (status.spawnError !== undefined || status.code !== 0 || stderr.trim() !== '') {
      throw patchToolError({
        operation: 'apply',
        image: image.name,
        exitCode: status.code,
        signal: status.signal,
        stderr,
        ...(status.spawnError === undefined ? {} : { spawnError: status.spawnError }),
      });
    }
    if (inputError !== undefined) throw inputError;
    if (written !== undefined && written !== image.uncompressed.length) checkPayloadDigest(image, 'uncompressed', { length: written, sha256: '' });
    fill.onProgress?.(written ?? image.uncompressed.length);
    finished = true;
    return written ?? image.uncompressed.length;
  } finally {
    clearInterval(poll);
    fill.signal?.removeEventListener('abort', stop);
    if (!finished) stop();
    await exited;
    await fed;
  }
}

/** The `pos:` line of a /proc fdinfo file; undefined where there is none (not Linux, process gone). */
async function filePosition(fdinfo: string): Promise<number | undefined> {
  try {
    const match = /^pos:\s+(\d+)/m.exec(await readFile(fdinfo, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a stream as fast as it produces, up to `ahead` bytes before its consumer: `onChunk` sees
 * every chunk as it arrives (hashing then overlaps the consumer's writes), and the consumer gets
 * what arrived meanwhile as one batch of chunks per turn, not one turn per 64 KiB pipe read.
 */
async function* readAhead(
  stream: NodeJS.ReadableStream & { destroy(error?: Error): void },
  ahead: number,
  onChunk: (chunk: Buffer) => void,
): AsyncGenerator<Buffer, void, undefined> {
  let queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const onData = (chunk: Buffer) => {
    try {
      onChunk(chunk);
    } catch (error) {
      failure ??= error;
      stream.destroy();
      notify();
      return;
    }
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= ahead) stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: unknown) => {
    failure ??= error;
    notify();
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('close', onEnd);
  stream.once('error', onError);
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        queued = 0;
        stream.resume();
        for (const chunk of batch) yield chunk;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('close', onEnd);
    stream.off('error', onError);
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
