import { AppError } from '../api/errors.js';
import type { DeltaSource, ImageEntry } from './manifest.js';
import type { MeasuredDigest } from './verify.js';

/**
 * The pure decisions around delta images (docs/bundle-format.md, "Delta bundles"): whether the
 * installed image is the one a patch was made against, how much memory zstd may use to apply it,
 * and what a failure of the zstd tool means. main/services/update brings the bytes and the process.
 */

export type DeltaImage = ImageEntry & { delta: DeltaSource };

export function isDeltaImage(image: ImageEntry): image is DeltaImage {
  return image.delta !== undefined;
}

/**
 * The first `sourceLength` bytes of the source slot must hash to the signed `sourceSha256`: a patch
 * applied to any other bytes yields garbage (caught later by the target hash, but only after the
 * target slot was written). `actual.length` is how many bytes the slot had, up to sourceLength.
 */
export function checkDeltaSource(image: DeltaImage, actual: MeasuredDigest): void {
  const { sourceLength, sourceSha256, fromVersion } = image.delta;
  if (actual.length !== sourceLength || actual.sha256 !== sourceSha256) {
    throw new AppError(
      'DELTA_SOURCE_MISMATCH',
      actual.length < sourceLength
        ? `Image "${image.name}": the source slot holds ${actual.length} bytes; the delta needs the ${sourceLength}-byte image of version ${fromVersion}.`
        : `Image "${image.name}": the source slot does not hold the image of version ${fromVersion} the delta was made from (SHA-256 ${actual.sha256}, expected ${sourceSha256}).`,
      { image: image.name, fromVersion, expected: { length: sourceLength, sha256: sourceSha256 }, actual },
    );
  }
}

/** zstd's default decompression memory limit, what `--long=27` sets: 128 MiB. */
export const ZSTD_DEFAULT_WINDOW = 2 ** 27;
/** zstd's largest window on 64-bit systems (ZSTD_WINDOWLOG_MAX = 31). */
export const ZSTD_MAX_WINDOW = 2 ** 31;

/**
 * The decompression memory limit (`--memory`) a patch of these sizes needs. With --patch-from the
 * compressor widens the window past --long=27 to cover the larger of source and target (window log
 * = highest bit + 1, at most 31), so a valid patch of a 300 MiB image needs a 512 MiB limit where
 * `--long=27` alone refuses it ("Frame requires too much memory"). Derived from signed lengths only,
 * so a tampered frame header cannot raise it.
 */
export function patchMemoryLimit(sourceLength: number, targetLength: number): number {
  const largest = Math.max(sourceLength, targetLength, 1);
  const window = 2 ** (Math.floor(Math.log2(largest)) + 1);
  return Math.min(ZSTD_MAX_WINDOW, Math.max(ZSTD_DEFAULT_WINDOW, window));
}

export interface PatchToolFailure {
  operation: 'create' | 'apply';
  image: string;
  /** The exit code, or null when killed by a signal or never started. */
  exitCode: number | null;
  signal: string | null;
  /** The first part of what zstd wrote on stderr. */
  stderr: string;
  /** Set when the process could not be started (zstd not installed: ENOENT). */
  spawnError?: string;
}

/** zstd's messages for bytes it cannot decode: the patch (or what it was given) is not intact. */
const DECODE_ERRORS =
  /Decoding error|Corrupted block|Unknown frame descriptor|unsupported format|not in zstd format|Restored data doesn't match checksum|Src size is incorrect|Frame requires too much memory|Window size larger than maximum|Data corruption|truncated|premature end|unexpected end/i;

/**
 * What a failed zstd run means. Applying: when zstd says the bytes do not decode, the payload does
 * not match what was signed (BUNDLE_PAYLOAD_MISMATCH, as for a full image); anything else (zstd
 * missing, killed, out of memory, a message we do not know) is DELTA_TOOL_FAILED, after which a
 * full bundle can still be installed. Creating, every failure is the tool's.
 */
export function patchToolError(failure: PatchToolFailure): AppError {
  const stderr = failure.stderr.trim();
  const how = failure.spawnError
    ? `could not start zstd (${failure.spawnError})`
    : failure.signal
      ? `zstd was killed by ${failure.signal}`
      : failure.exitCode !== 0
        ? `zstd exited with status ${failure.exitCode}`
        : 'zstd wrote an unexpected message';
  const details = {
    image: failure.image,
    operation: failure.operation,
    exitCode: failure.exitCode,
    signal: failure.signal,
    stderr,
    ...(failure.spawnError ? { spawnError: failure.spawnError } : {}),
  };
  const said = stderr ? `: ${stderr.split('\n').slice(0, 3).join(' / ')}` : '';
  if (failure.operation === 'apply' && !failure.spawnError && !failure.signal && DECODE_ERRORS.test(stderr)) {
    return new AppError(
      'BUNDLE_PAYLOAD_MISMATCH',
      `Image "${failure.image}": the delta payload does not decode against its source (${how}${said}).`,
      { ...details, form: 'compressed' },
    );
  }
  return new AppError(
    'DELTA_TOOL_FAILED',
    `Image "${failure.image}": ${failure.operation === 'apply' ? 'applying' : 'making'} the delta failed: ${how}${said}.`,
    details,
  );
}
