import { AppError } from '../api/errors.js';
import { VarintReader, VarintWriter } from './varintCodec.js';

/**
 * The file-aware delta payload, `compression: "hsdelta-1"` (docs/bundle-format.md, "File-aware
 * deltas"): the target image as a list of operations in target block order, each writing the next
 * run of blocks from the installed (source) slot, from zeros, or from the output of a "unit" (a
 * changed file, or the image's changed metadata) that the payload carries, encoded with the method
 * that made it smallest. This module is the pure part: the operation table's binary encoding and
 * its checks. Making units and running the decoders is in main/.
 *
 * Payload layout (all integers little-endian):
 *
 *   "HSDELTA1"            8 bytes, the format and its version
 *   tableLength           u32, the length of the zstd-compressed table that follows
 *   table                 zstd frame: the encoded table (encodeTable)
 *   unit data             each unit's encoded bytes, in unit order, back to back
 */

export const FILE_DELTA_COMPRESSION = 'hsdelta-1';
export const FILE_DELTA_MAGIC = 'HSDELTA1';
export const FILE_DELTA_PREAMBLE = 12;
/** A unit's output and reference are each at most this: the applier's memory bound (docs/bundle-format.md). */
export const MAX_UNIT_BYTES = 32 * 1024 * 1024;
/** A table longer than this is refused before it is decompressed. */
export const MAX_TABLE_BYTES = 64 * 1024 * 1024;
export const MAX_UNITS = 1 << 20;

/**
 * How a unit's bytes are encoded. The applier decodes each with the same tool:
 * - `zstd`: a zstd frame (no reference);
 * - `zstd-ref`: a zstd frame made with `--patch-from` of the unit's reference bytes;
 * - `xz`: an xz stream (LZMA2), no reference;
 * - `xz-x86`: an xz stream with the x86 branch filter (BCJ) before LZMA2, for machine code;
 * - `xdelta3`: a VCDIFF patch (`xdelta3 -e -s REFERENCE`) of the unit against its reference;
 * - `adiff-xz`: an xz stream of an approximate-match diff against the reference
 *   (src/update/approximateDiff.ts), for metadata whose records moved and changed a little.
 * New methods are appended: a method's number is its index here.
 */
export const UNIT_METHODS = ['zstd', 'zstd-ref', 'xz', 'xz-x86', 'xdelta3', 'adiff-xz'] as const;
export type UnitMethod = (typeof UNIT_METHODS)[number];
export const REFERENCE_METHODS: readonly UnitMethod[] = ['zstd-ref', 'xdelta3', 'adiff-xz'];

/** A run of blocks. */
export interface Extent {
  start: number;
  count: number;
}

export interface Unit {
  method: UnitMethod;
  /** The encoded bytes' length in the payload. */
  dataLength: number;
  /** The decoded output, in blocks (its bytes: outputBlocks × blockSize). */
  outputBlocks: number;
  /** SHA-256 of the decoded output: checked before a byte of it is written. */
  sha256: Uint8Array;
  /** The source blocks whose bytes, concatenated, are the reference (empty for methods without one). */
  reference: Extent[];
}

export type Operation =
  | { kind: 'copy'; count: number; sourceStart: number }
  | { kind: 'zero'; count: number }
  | { kind: 'unit'; count: number; unit: number; offset: number };

export interface FileDeltaTable {
  blockSize: number;
  /** The target image's length in bytes (its last block may be partial). */
  targetLength: number;
  /** The source image's length in bytes: no operation reads past it (bytes past it read as zero in the last block). */
  sourceLength: number;
  units: Unit[];
  /** In target order: the first covers block 0, each the blocks after the previous one's. */
  operations: Operation[];
}

const OP_KIND = { copy: 0, zero: 1, unit: 2 } as const;

export function blocksOf(length: number, blockSize: number): number {
  return Math.ceil(length / blockSize);
}

/** Encodes the table (varints, source starts relative to the target position so shifted runs stay small). */
export function encodeTable(table: FileDeltaTable): Uint8Array {
  const out = new VarintWriter();
  out.varint(table.blockSize);
  out.varint(table.targetLength);
  out.varint(table.sourceLength);
  out.varint(table.units.length);
  out.varint(table.operations.length);
  for (const unit of table.units) {
    out.byte(UNIT_METHODS.indexOf(unit.method));
    out.varint(unit.dataLength);
    out.varint(unit.outputBlocks);
    out.bytes(unit.sha256);
    out.varint(unit.reference.length);
    let at = 0;
    for (const extent of unit.reference) {
      out.signed(extent.start - at);
      out.varint(extent.count);
      at = extent.start + extent.count;
    }
  }
  let position = 0;
  for (const op of table.operations) {
    out.byte(OP_KIND[op.kind]);
    out.varint(op.count);
    if (op.kind === 'copy') out.signed(op.sourceStart - position);
    if (op.kind === 'unit') {
      out.varint(op.unit);
      out.varint(op.offset);
    }
    position += op.count;
  }
  return out.finish();
}

/** Decodes and checks a table (checkTable); anything that does not parse is BUNDLE_MALFORMED. */
export function decodeTable(bytes: Uint8Array, image: string): FileDeltaTable {
  const input = new VarintReader(bytes, (problem) => malformed(image, problem === 'ends early' ? 'the table ends early' : 'a number is too large'));
  const blockSize = input.varint();
  const targetLength = input.varint();
  const sourceLength = input.varint();
  const unitCount = input.varint();
  const opCount = input.varint();
  if (unitCount > MAX_UNITS) throw malformed(image, `${unitCount} units`);
  // Each operation takes at least 2 bytes: a count larger than what is left is a lie.
  if (opCount > bytes.length) throw malformed(image, `${opCount} operations in a ${bytes.length}-byte table`);
  const units: Unit[] = [];
  for (let i = 0; i < unitCount; i++) {
    const method = UNIT_METHODS[input.byte()];
    if (method === undefined) throw malformed(image, `unit ${i} has an unknown method`);
    const dataLength = input.varint();
    const outputBlocks = input.varint();
    const sha256 = input.bytes(32);
    const extentCount = input.varint();
    if (extentCount > bytes.length) throw malformed(image, `unit ${i} lists ${extentCount} extents`);
    const reference: Extent[] = [];
    let at = 0;
    for (let e = 0; e < extentCount; e++) {
      const start = at + input.signed();
      const count = input.varint();
      reference.push({ start, count });
      at = start + count;
    }
    units.push({ method, dataLength, outputBlocks, sha256, reference });
  }
  const operations: Operation[] = [];
  let position = 0;
  for (let i = 0; i < opCount; i++) {
    const kind = input.byte();
    const count = input.varint();
    if (kind === OP_KIND.copy) operations.push({ kind: 'copy', count, sourceStart: position + input.signed() });
    else if (kind === OP_KIND.zero) operations.push({ kind: 'zero', count });
    else if (kind === OP_KIND.unit) operations.push({ kind: 'unit', count, unit: input.varint(), offset: input.varint() });
    else throw malformed(image, `operation ${i} has an unknown kind ${kind}`);
    position += count;
  }
  if (!input.atEnd()) throw malformed(image, 'bytes after the last operation');
  const table = { blockSize, targetLength, sourceLength, units, operations };
  checkTable(table, image);
  return table;
}

/**
 * The checks that make applying safe whatever the (signed) table says: the operations cover the
 * target exactly, in order; every source block read is inside the source image; every unit's
 * output and reference fit the memory bound and every unit block is used by exactly one operation.
 */
export function checkTable(table: FileDeltaTable, image: string): void {
  const { blockSize, targetLength, sourceLength, units, operations } = table;
  if (!Number.isSafeInteger(blockSize) || blockSize < 512 || blockSize > 65536 || (blockSize & (blockSize - 1)) !== 0)
    throw malformed(image, `block size ${blockSize}`);
  const targetBlocks = blocksOf(targetLength, blockSize);
  const sourceBlocks = blocksOf(sourceLength, blockSize);
  const inSource = (start: number, count: number) => start >= 0 && count >= 0 && start + count <= sourceBlocks;
  const used = units.map((unit) => new Uint8Array(unit.outputBlocks));
  for (const [index, unit] of units.entries()) {
    const referenceBlocks = unit.reference.reduce((sum, e) => sum + e.count, 0);
    if (unit.outputBlocks === 0 || unit.outputBlocks * blockSize > MAX_UNIT_BYTES || referenceBlocks * blockSize > MAX_UNIT_BYTES)
      throw malformed(image, `unit ${index} is out of bounds (${unit.outputBlocks} blocks out, ${referenceBlocks} in)`);
    if (REFERENCE_METHODS.includes(unit.method) !== referenceBlocks > 0)
      throw malformed(image, `unit ${index} (${unit.method}) ${referenceBlocks > 0 ? 'has' : 'lacks'} a reference`);
    for (const extent of unit.reference)
      if (extent.count === 0 || !inSource(extent.start, extent.count)) throw malformed(image, `unit ${index} reads outside the source`);
  }
  let position = 0;
  for (const [index, op] of operations.entries()) {
    if (op.count <= 0) throw malformed(image, `operation ${index} is empty`);
    if (op.kind === 'copy' && !inSource(op.sourceStart, op.count)) throw malformed(image, `operation ${index} copies from outside the source`);
    if (op.kind === 'unit') {
      const marks = used[op.unit];
      if (marks === undefined || op.offset + op.count > marks.length) throw malformed(image, `operation ${index} reads outside its unit`);
      for (let b = op.offset; b < op.offset + op.count; b++) {
        if (marks[b]) throw malformed(image, `operation ${index} uses a unit block twice`);
        marks[b] = 1;
      }
    }
    position += op.count;
    if (position > targetBlocks) throw malformed(image, `the operations write past the target's ${targetBlocks} blocks`);
  }
  if (position !== targetBlocks) throw malformed(image, `the operations cover ${position} of the target's ${targetBlocks} blocks`);
  for (const [index, marks] of used.entries()) if (marks.includes(0)) throw malformed(image, `unit ${index} has blocks no operation writes`);
}

export function malformed(image: string, what: string): AppError {
  return new AppError('BUNDLE_MALFORMED', `Image "${image}": the file-aware delta is malformed (${what}).`, { image, form: FILE_DELTA_COMPRESSION });
}
