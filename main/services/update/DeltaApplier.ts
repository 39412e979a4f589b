import { createHash } from 'node:crypto';
import { FILE_DELTA_COMPRESSION } from '../../../src/update/fileDelta.js';
import type { ImageEntry } from '../../../src/update/manifest.js';
import { checkPayloadDigest } from '../../../src/update/verify.js';
import {
  checkDeltaSourceFile,
  checkOfThisSource,
  prepareDeltaSource,
  requireDeltaImage,
  type CheckedSource,
  type SourceProvision,
} from './delta/DeltaSource.js';
import { applyFileDelta } from './delta/FileDeltaApplier.js';
import { patchIntoSlot } from './delta/patchIntoSlot.js';
import { streamPatchedImage } from './delta/streamPatchedImage.js';
import type { PatchStream } from './delta/zstdPatchProcess.js';
import type { SlotFiller } from './SlotWriter.js';

// The pieces live in delta/: the source's check and private copy (DeltaSource), zstd as a process
// (zstdPatchProcess), its output streamed (streamPatchedImage) or written into the slot (patchIntoSlot).
export { checkDeltaSourceFile, prepareDeltaSource, type CheckedSource, type PreparedSource, type SourceProvision } from './delta/DeltaSource.js';

export interface ApplyDeltaOptions {
  /** The delta image's entry from the bundle's verified manifest (it has `delta`). */
  image: ImageEntry;
  /**
   * The patch as it streams out of the bundle (`BundlePayload.chunks()`), which the bundle reader
   * checks against the signed length and hash and fails at its end if they differ.
   */
  patch: PatchStream;
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
  if (image.compression === FILE_DELTA_COMPRESSION) {
    // Counted and hashed here: this stream is its consumer's only check.
    const hash = createHash('sha256');
    let length = 0;
    for await (const chunk of fileDeltaChunks(options)) {
      length += chunk.length;
      if (length > image.uncompressed.length) checkPayloadDigest(image, 'uncompressed', { length, sha256: '' });
      hash.update(chunk);
      yield chunk;
    }
    checkPayloadDigest(image, 'uncompressed', { length, sha256: hash.digest('hex') });
    return;
  }
  const source = await prepareDeltaSource(
    image,
    options.sourcePath,
    options.tempDir,
    checkOfThisSource(options.checkedSource, image, options.sourcePath),
  );
  try {
    options.onSource?.(source.how);
    yield* streamPatchedImage(image, options.patch, source.path, options.zstd ?? 'zstd');
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
  if (options.image.compression === FILE_DELTA_COMPRESSION) {
    return {
      chunks: () => applyDelta(options),
      async fillSlot(slot, fill) {
        // In target order from the first byte, so progress is a written prefix (the slot writer's read-back follows it).
        let position = 0;
        for await (const chunk of fileDeltaChunks(options)) {
          fill.signal?.throwIfAborted();
          for (let done = 0; done < chunk.length;) done += (await slot.write(chunk, done, chunk.length - done, position + done)).bytesWritten;
          position += chunk.length;
          fill.onProgress?.(position);
        }
        return position;
      },
    };
  }
  return {
    chunks: () => applyDelta(options),
    async fillSlot(slot, fill) {
      const image = requireDeltaImage(options.image);
      const checked = checkOfThisSource(options.checkedSource, image, options.sourcePath);
      const source = await prepareDeltaSource(image, options.sourcePath, options.tempDir, checked);
      try {
        options.onSource?.(source.how);
        return await patchIntoSlot(image, options.patch, source.path, options.zstd ?? 'zstd', slot, fill);
      } finally {
        await source.release();
      }
    },
  };
}

/**
 * A file-aware delta's target bytes (FileDeltaApplier): its source checked first unless the caller
 * checked it; the blocks are read from the source slot itself, so no copy of it is made.
 */
async function* fileDeltaChunks(options: ApplyDeltaOptions): AsyncGenerator<Buffer, void, undefined> {
  const image = requireDeltaImage(options.image);
  if (!checkOfThisSource(options.checkedSource, image, options.sourcePath)) await checkDeltaSourceFile(image, options.sourcePath);
  options.onSource?.('direct');
  yield* applyFileDelta({ image, payload: options.patch, sourcePath: options.sourcePath, tempDir: options.tempDir });
}
