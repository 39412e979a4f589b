import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyApproximateDiff, makeApproximateDiff } from './approximateDiff.js';

/** 256-byte records (as inodes), each changed in a few bytes, shifted by one record. */
function records(count: number, seed: number, change: boolean): Uint8Array {
  const bytes = new Uint8Array(count * 256);
  let state = 1;
  const next = () => (state = (state * 1_103_515_245 + 12_345) >>> 0);
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < 256; i++) bytes[r * 256 + i] = next() & 0xff;
    if (change) for (let i = 0; i < 4; i++) bytes[r * 256 + ((seed * 31 + i * 17) % 256)]! ^= 0x5a;
  }
  return bytes;
}

describe('approximate-match diff', () => {
  it('rebuilds the output exactly from the reference, for any bytes and chunk size', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.uint8Array({ maxLength: 3000 }),
        fc.constantFrom(1, 7, 64, 256, 1024),
        (reference, output, chunk) => {
          const diff = makeApproximateDiff(reference, output, chunk);
          expect(applyApproximateDiff(reference, diff, output.length)).toEqual(output);
        },
      ),
    );
  });

  it('turns records that moved and changed a little into differences that are nearly all zero', () => {
    const reference = records(64, 1, false);
    const output = new Uint8Array(reference.length);
    output.set(records(64, 1, true).subarray(0, reference.length - 256), 256); // shifted by one record
    const diff = makeApproximateDiff(reference, output, 256);
    expect(applyApproximateDiff(reference, diff, output.length)).toEqual(output);
    const zeros = diff.filter((byte) => byte === 0).length;
    expect(zeros / diff.length).toBeGreaterThan(0.9);
  });

  it('refuses a diff for another length, cut short, or with bytes left over', () => {
    const reference = records(8, 2, false);
    const output = records(8, 2, true);
    const diff = makeApproximateDiff(reference, output, 256);
    expect(() => applyApproximateDiff(reference, diff, output.length + 1)).toThrow();
    expect(() => applyApproximateDiff(reference, diff.subarray(0, diff.length - 1), output.length)).toThrow();
    expect(() => applyApproximateDiff(reference, new Uint8Array([...diff, 0]), output.length)).toThrow();
    expect(() => applyApproximateDiff(reference.subarray(0, 100), diff, output.length)).toThrow();
  });
});
