import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test-support/api/errorCodes.js';
import { ZSTD_DEFAULT_WINDOW, ZSTD_MAX_WINDOW, checkDeltaSource, patchMemoryLimit, patchToolError, type DeltaImage } from './delta.js';

const MiB = 1024 * 1024;
const image: DeltaImage = {
  name: 'rootfs',
  slot: 'rootfs',
  compression: 'zstd',
  compressed: { length: 10, sha256: 'a'.repeat(64) },
  uncompressed: { length: 30, sha256: 'b'.repeat(64) },
  offset: 700,
  delta: { fromVersion: '1.0.0', sourceLength: 20, sourceSha256: 'c'.repeat(64) },
};

describe('delta checks', () => {
  it('accepts only the exact source image', () => {
    expect(codeOf(() => checkDeltaSource(image, { length: 20, sha256: 'c'.repeat(64) }))).toBe('OK');
    expect(codeOf(() => checkDeltaSource(image, { length: 20, sha256: 'd'.repeat(64) }))).toBe('DELTA_SOURCE_MISMATCH');
    expect(codeOf(() => checkDeltaSource(image, { length: 19, sha256: 'c'.repeat(64) }))).toBe('DELTA_SOURCE_MISMATCH');
  });

  it("sizes zstd's memory limit from the signed lengths: --long=27 below 128 MiB, the next power of two above the larger image from there, 2 GiB at most", () => {
    expect(patchMemoryLimit(0, 0)).toBe(ZSTD_DEFAULT_WINDOW);
    expect(patchMemoryLimit(24 * MiB, 24 * MiB)).toBe(ZSTD_DEFAULT_WINDOW);
    expect(patchMemoryLimit(128 * MiB - 1, 1)).toBe(ZSTD_DEFAULT_WINDOW);
    expect(patchMemoryLimit(128 * MiB, 1)).toBe(256 * MiB);
    expect(patchMemoryLimit(300 * MiB, 321 * MiB)).toBe(512 * MiB); // measured: zstd needs 321 MiB here, --long=27 refuses it
    expect(patchMemoryLimit(256 * MiB, 10)).toBe(512 * MiB); // window log = highest bit + 1
    expect(patchMemoryLimit(5 * 1024 * MiB, 5 * 1024 * MiB)).toBe(ZSTD_MAX_WINDOW);
  });

  it("tells a patch that does not decode (the bundle's fault) from a tool that failed", () => {
    const failure = { operation: 'apply' as const, image: 'rootfs', exitCode: 1, signal: null };
    expect(patchToolError({ ...failure, stderr: 'zstd: /*stdin*\\: Decoding error (36) : Corrupted block detected \n' }).code).toBe(
      'BUNDLE_PAYLOAD_MISMATCH',
    );
    expect(patchToolError({ ...failure, stderr: "/*stdin*\\: Decoding error (36) : Restored data doesn't match checksum" }).code).toBe(
      'BUNDLE_PAYLOAD_MISMATCH',
    );
    expect(patchToolError({ ...failure, stderr: 'zstd: /*stdin*\\: unsupported format' }).code).toBe('BUNDLE_PAYLOAD_MISMATCH');
    expect(patchToolError({ ...failure, stderr: 'zstd: error 11 : Allocation error : not enough memory' }).code).toBe('DELTA_TOOL_FAILED');
    expect(patchToolError({ ...failure, exitCode: null, signal: 'SIGKILL', stderr: '' }).code).toBe('DELTA_TOOL_FAILED');
    expect(patchToolError({ ...failure, exitCode: null, stderr: '', spawnError: 'ENOENT' }).code).toBe('DELTA_TOOL_FAILED');
    expect(patchToolError({ ...failure, exitCode: 0, stderr: 'Warning: something new' }).code).toBe('DELTA_TOOL_FAILED');
    // Making a patch, every failure is the tool's.
    expect(patchToolError({ ...failure, operation: 'create', stderr: 'Decoding error' }).code).toBe('DELTA_TOOL_FAILED');
    const error = patchToolError({ ...failure, exitCode: null, signal: 'SIGKILL', stderr: '' });
    expect(error.message).toContain('killed by SIGKILL');
    expect(error.details).toMatchObject({ image: 'rootfs', operation: 'apply', signal: 'SIGKILL' });
  });
});
