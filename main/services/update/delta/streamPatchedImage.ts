import { createHash } from 'node:crypto';
import { AppError } from '../../../../src/api/errors.js';
import type { DeltaImage } from '../../../../src/update/delta.js';
import { checkPayloadDigest } from '../../../../src/update/verify.js';
import { readAhead } from './readAhead.js';
import { startZstdPatch, type PatchStream } from './zstdPatchProcess.js';

/**
 * zstd's output kept in memory ahead of the consumer (the slot writer) before zstd is paused: the
 * pipe alone (64 KiB) would make zstd wait for every write, taking turns instead of overlapping.
 */
const OUTPUT_AHEAD = 16 * 1024 * 1024;

/**
 * The target image's bytes as zstd rebuilds them from `reference` and the patch, counted and hashed
 * as they stream: one byte past the signed length stops it, and the iteration ends only once zstd,
 * the patch stream and the output's length and hash all passed. Stopping early kills zstd.
 */
export async function* streamPatchedImage(
  image: DeltaImage,
  patch: PatchStream,
  reference: string,
  zstd: string,
): AsyncGenerator<Buffer, void, undefined> {
  const zstdProcess = startZstdPatch(image, patch, reference, zstd);
  const hash = createHash('sha256');
  let length = 0;
  let finished = false;
  const output = readAhead(zstdProcess.child.stdout!, OUTPUT_AHEAD, (chunk) => {
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
      const inputError = await settleEarly(zstdProcess.fed);
      if (inputError instanceof AppError) throw inputError;
      throw error;
    }
    const status = await zstdProcess.exited;
    // zstd only exits on its own once stdin ended or when it failed; after a failure, stop feeding it.
    if (status.code !== 0) zstdProcess.stopFeeding();
    const inputError = await zstdProcess.fed;
    if (inputError instanceof AppError) throw inputError;
    zstdProcess.checkExit(status);
    if (inputError !== undefined) throw inputError;
    checkPayloadDigest(image, 'uncompressed', { length, sha256: hash.digest('hex') });
    finished = true;
  } finally {
    if (!finished) zstdProcess.stop();
    await zstdProcess.exited;
    await zstdProcess.fed;
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
