import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test-support/api/errorCodes.js';
import { checkTable, decodeTable, encodeTable, type FileDeltaTable } from './fileDelta.js';

const sha = new Uint8Array(32).fill(7);

/** 10 target blocks: 4 copied (shifted), 2 zero, 3 from unit 0 (with a reference), 1 from unit 1. */
function table(): FileDeltaTable {
  return {
    blockSize: 1024,
    targetLength: 10 * 1024 - 100,
    sourceLength: 12 * 1024,
    units: [
      { method: 'zstd-ref', dataLength: 50, outputBlocks: 3, sha256: sha, reference: [{ start: 8, count: 4 }] },
      { method: 'xz-x86', dataLength: 70, outputBlocks: 1, sha256: sha, reference: [] },
    ],
    operations: [
      { kind: 'copy', count: 4, sourceStart: 2 },
      { kind: 'zero', count: 2 },
      { kind: 'unit', count: 1, unit: 1, offset: 0 },
      { kind: 'unit', count: 3, unit: 0, offset: 0 },
    ],
  };
}

const code = (t: FileDeltaTable) => codeOf(() => checkTable(t, 'rootfs'));

describe('file-aware delta table', () => {
  it('round-trips through its binary encoding', () => {
    expect(decodeTable(encodeTable(table()), 'rootfs')).toEqual(table());
  });

  it('round-trips any run of copies with any shift', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 100_000 })), { minLength: 1, maxLength: 50 }),
        (runs) => {
          const blocks = runs.reduce((sum, [count]) => sum + count, 0);
          const t: FileDeltaTable = {
            blockSize: 4096,
            targetLength: blocks * 4096,
            sourceLength: 200_000 * 4096,
            units: [],
            operations: runs.map(([count, sourceStart]) => ({ kind: 'copy', count, sourceStart })),
          };
          expect(decodeTable(encodeTable(t), 'rootfs')).toEqual(t);
        },
      ),
    );
  });

  it('refuses, as BUNDLE_MALFORMED, operations that do not cover the target exactly', () => {
    const short = table();
    short.operations[0]!.count = 3;
    expect(code(short)).toBe('BUNDLE_MALFORMED');
    const long = table();
    long.operations.push({ kind: 'zero', count: 1 });
    expect(code(long)).toBe('BUNDLE_MALFORMED');
    const empty = table();
    empty.operations[1]!.count = 0;
    expect(code(empty)).toBe('BUNDLE_MALFORMED');
  });

  it('refuses reads outside the source image and outside a unit, and a unit block used twice or never', () => {
    const copyPast = table();
    (copyPast.operations[0] as { sourceStart: number }).sourceStart = 9;
    expect(code(copyPast)).toBe('BUNDLE_MALFORMED');
    const refPast = table();
    refPast.units[0]!.reference = [{ start: 10, count: 4 }];
    expect(code(refPast)).toBe('BUNDLE_MALFORMED');
    const unitPast = table();
    (unitPast.operations[3] as { offset: number }).offset = 1;
    expect(code(unitPast)).toBe('BUNDLE_MALFORMED');
    const twice = table();
    twice.operations.splice(3, 1, { kind: 'unit', count: 1, unit: 0, offset: 0 }, { kind: 'unit', count: 2, unit: 0, offset: 0 });
    expect(code(twice)).toBe('BUNDLE_MALFORMED');
    const unused = table();
    unused.units[0]!.outputBlocks = 4;
    expect(code(unused)).toBe('BUNDLE_MALFORMED');
    const noUnit = table();
    (noUnit.operations[2] as { unit: number }).unit = 5;
    expect(code(noUnit)).toBe('BUNDLE_MALFORMED');
  });

  it('refuses a unit over the memory bound, a reference where its method takes none (and none where it needs one), and a bad block size', () => {
    const big = table();
    big.units[1]!.outputBlocks = 40_000;
    expect(code(big)).toBe('BUNDLE_MALFORMED');
    const refless = table();
    refless.units[0]!.reference = [];
    expect(code(refless)).toBe('BUNDLE_MALFORMED');
    const refOnXz = table();
    refOnXz.units[1]!.reference = [{ start: 0, count: 1 }];
    expect(code(refOnXz)).toBe('BUNDLE_MALFORMED');
    expect(code({ ...table(), blockSize: 1000 })).toBe('BUNDLE_MALFORMED');
  });

  it('refuses any cut of its encoding, an unknown method or kind, and bytes after the end', () => {
    const bytes = encodeTable(table());
    for (let cut = 0; cut < bytes.length; cut++)
      expect(
        codeOf(() => decodeTable(bytes.subarray(0, cut), 'rootfs')),
        `cut at ${cut}`,
      ).toBe('BUNDLE_MALFORMED');
    expect(codeOf(() => decodeTable(new Uint8Array([...bytes, 0]), 'rootfs'))).toBe('BUNDLE_MALFORMED');
    expect(codeOf(() => decodeTable(withByte(bytes, methodOffset(), 99), 'rootfs'))).toBe('BUNDLE_MALFORMED');
    // The operations take the last 13 bytes (copy 3, zero 2, two unit operations 4 each): the first one's kind.
    expect(codeOf(() => decodeTable(withByte(bytes, bytes.length - 13, 9), 'rootfs'))).toBe('BUNDLE_MALFORMED');
  });
});

/** Where the first unit's method byte is: right after the header's five numbers. */
function methodOffset(): number {
  const t = table();
  // blockSize 1024 (2 bytes), targetLength (2), sourceLength (2), unit count (1), op count (1).
  expect(encodeTable({ ...t, units: [], operations: [] }).length).toBe(8);
  return 8;
}

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] = value;
  return copy;
}
