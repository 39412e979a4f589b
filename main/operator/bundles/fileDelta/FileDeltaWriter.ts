import { createHash } from 'node:crypto';
import { open, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import {
  FILE_DELTA_MAGIC,
  MAX_UNIT_BYTES,
  REFERENCE_METHODS,
  blocksOf,
  checkTable,
  encodeTable,
  type Extent,
  type FileDeltaTable,
  type Operation,
  type Unit,
  type UnitMethod,
} from '../../../../src/update/fileDelta.js';
import { mapExt4Files, type Ext4File } from './ext4Files.js';
import { DEFAULT_UNIT_TOOLS, encodeUnit, type UnitTools } from './unitEncoders.js';

/** New files smaller than this go with the metadata into one unit: a unit of their own costs more than it saves. */
const OWN_UNIT_MIN_BYTES = 64 * 1024;
const HASH_READ = 4 * 1024 * 1024;

export interface FileDeltaReport {
  payloadLength: number;
  tableLength: number;
  blockSize: number;
  operations: Record<Operation['kind'], number>;
  /** Blocks written by each kind of operation. */
  blocks: Record<Operation['kind'], number>;
  units: { what: string; method: UnitMethod; outputBytes: number; dataLength: number; tried: Partial<Record<UnitMethod, number>> }[];
}

export interface FileDeltaOptions {
  tools?: Partial<UnitTools>;
  debugfs?: string;
  /** Tests: a smaller bound on a unit's output and reference, to exercise the splitting. */
  maxUnitBytes?: number;
}

interface UnitPlan {
  what: string;
  /** Target blocks, in output order. */
  output: number[];
  /** Source blocks whose bytes are the reference, in order (none: no reference). */
  reference: number[];
}

/**
 * Makes a file-aware delta payload (src/update/fileDelta.ts) that rebuilds the ext4 image `newImage`
 * from `oldImage`, written to `out`. Each block of the new image is, in this order of preference:
 * a copy of a source block with the same bytes (unchanged file data wherever it moved, unchanged
 * metadata), zeros, or part of a unit: a changed file diffed against its old version (same path,
 * else the same name without its version numbers), a new file of its own, or the rest (changed
 * metadata and small new files, diffed against the source's blocks at the same places). Each unit
 * is encoded with the smallest of several methods (unitEncoders.ts). Throws a plain Error where the
 * images cannot be read as ext4 with the same block size: the caller then keeps the whole-image patch.
 */
export async function writeFileDelta(oldImage: string, newImage: string, out: string, options: FileDeltaOptions = {}): Promise<FileDeltaReport> {
  const tools = { ...DEFAULT_UNIT_TOOLS, ...options.tools };
  const maxUnit = Math.min(options.maxUnitBytes ?? MAX_UNIT_BYTES, MAX_UNIT_BYTES);
  const [oldMap, newMap] = await Promise.all([mapExt4Files(oldImage, options.debugfs), mapExt4Files(newImage, options.debugfs)]);
  if (oldMap.blockSize !== newMap.blockSize) throw new Error(`the images have different block sizes (${oldMap.blockSize}, ${newMap.blockSize})`);
  const blockSize = newMap.blockSize;
  const source = await open(oldImage, 'r');
  const target = await open(newImage, 'r');
  try {
    const sourceLength = (await source.stat()).size;
    const targetLength = (await target.stat()).size;
    const sourceBlocks = blocksOf(sourceLength, blockSize);
    const targetBlocks = blocksOf(targetLength, blockSize);
    const sourceHashes = await blockHashes(source, sourceLength, blockSize);
    const targetHashes = await blockHashes(target, targetLength, blockSize);
    const key = (hashes: Buffer, block: number) => hashes.toString('latin1', block * 16, block * 16 + 16);
    const sourceIndex = new Map<string, number>();
    for (let b = sourceBlocks - 1; b >= 0; b--) sourceIndex.set(key(sourceHashes, b), b);
    const zeroKey = key(await blockHashes(null, blockSize, blockSize), 0);
    const sameBlock = (t: number, s: number) =>
      s >= 0 && s < sourceBlocks && targetHashes.compare(sourceHashes, s * 16, s * 16 + 16, t * 16, t * 16 + 16) === 0;

    // Files: which changed (a block found nowhere in the source), and what each is diffed against.
    const oldByPath = new Map(oldMap.files.map((file) => [file.path, file]));
    const oldByStem = new Map<string, Ext4File>();
    for (const file of oldMap.files) if (!oldByStem.has(stem(file.path))) oldByStem.set(stem(file.path), file);
    const sourceFileBlock = new Uint8Array(sourceBlocks);
    for (const file of oldMap.files) for (const block of file.blocks) if (block > 0 && block < sourceBlocks) sourceFileBlock[block] = 1;

    const units: UnitPlan[] = [];
    const restOutput: number[] = [];
    const inUnit = new Uint8Array(targetBlocks);
    for (const file of newMap.files) {
      const blocks = file.blocks.filter((block) => block > 0 && block < targetBlocks);
      if (blocks.every((block) => sourceIndex.has(key(targetHashes, block)))) continue;
      const old = oldByPath.get(file.path) ?? oldByStem.get(stem(file.path));
      const oldBlocks = old?.blocks.filter((block) => block > 0 && block < sourceBlocks) ?? [];
      for (const block of blocks) inUnit[block] = 1;
      if (oldBlocks.length === 0 && blocks.length * blockSize < OWN_UNIT_MIN_BYTES) {
        restOutput.push(...blocks);
        continue;
      }
      units.push(...sliceUnit(`${file.path}${old && old.path !== file.path ? ` (from ${old.path})` : ''}`, blocks, oldBlocks, maxUnit / blockSize));
    }
    // Metadata (and small new files): the blocks found nowhere in the source, not zero.
    for (let t = 0; t < targetBlocks; t++) {
      if (inUnit[t]) continue;
      const k = key(targetHashes, t);
      if (k !== zeroKey && !sourceIndex.has(k)) {
        inUnit[t] = 1;
        restOutput.push(t);
      }
    }
    restOutput.sort((a, b) => a - b);
    const perRest = Math.floor(maxUnit / blockSize);
    // The reference: all the source's metadata (what is neither file data nor zeros) where it fits
    // the bound, else the source's blocks at the same places (inode tables, bitmaps and group
    // descriptors stay where they were).
    const sourceMetadata: number[] = [];
    for (let s = 0; s < sourceBlocks; s++) if (!sourceFileBlock[s] && key(sourceHashes, s) !== zeroKey) sourceMetadata.push(s);
    for (let i = 0; i < restOutput.length; i += perRest) {
      const output = restOutput.slice(i, i + perRest);
      const reference =
        sourceMetadata.length <= perRest
          ? sourceMetadata
          : output.filter((block) => block < sourceBlocks && !sourceFileBlock[block] && key(sourceHashes, block) !== zeroKey);
      units.push({ what: 'metadata and small new files', output, reference });
    }

    // The operations, in target order.
    const unitOf = new Int32Array(targetBlocks).fill(-1);
    const offsetInUnit = new Int32Array(targetBlocks);
    for (const [index, unit] of units.entries())
      for (const [offset, block] of unit.output.entries()) {
        unitOf[block] = index;
        offsetInUnit[block] = offset;
      }
    const operations: Operation[] = [];
    for (let t = 0; t < targetBlocks; t++) {
      const last = operations.at(-1);
      if (unitOf[t]! >= 0) {
        const unit = unitOf[t]!;
        const offset = offsetInUnit[t]!;
        if (last?.kind === 'unit' && last.unit === unit && last.offset + last.count === offset) last.count++;
        else operations.push({ kind: 'unit', count: 1, unit, offset });
        continue;
      }
      if (last?.kind === 'copy' && sameBlock(t, last.sourceStart + last.count)) {
        last.count++;
        continue;
      }
      const k = key(targetHashes, t);
      if (k === zeroKey) {
        if (last?.kind === 'zero') last.count++;
        else operations.push({ kind: 'zero', count: 1 });
        continue;
      }
      // Not in a unit and not zero: the source has these bytes (else it would be in the rest).
      const from = sameBlock(t, t) ? t : sourceIndex.get(k)!;
      operations.push({ kind: 'copy', count: 1, sourceStart: from });
    }

    // Each unit encoded, smallest method kept.
    // Scratch files beside OUT: the caller's private folder.
    const work = dirname(out);
    const encodedUnits: { unit: Unit; data: Buffer; tried: Partial<Record<UnitMethod, number>> }[] = [];
    for (const plan of units) {
      const output = await readBlocks(target, plan.output, blockSize, targetLength);
      const reference = plan.reference.length > 0 ? await readBlocks(source, plan.reference, blockSize, sourceLength) : undefined;
      const encoded = await encodeUnit(output, reference, work, tools);
      const usesReference = REFERENCE_METHODS.includes(encoded.method);
      encodedUnits.push({
        unit: {
          method: encoded.method,
          dataLength: encoded.data.length,
          outputBlocks: plan.output.length,
          sha256: createHash('sha256').update(output).digest(),
          reference: usesReference ? toExtents(plan.reference) : [],
        },
        data: encoded.data,
        tried: encoded.tried,
      });
    }
    const table: FileDeltaTable = { blockSize, targetLength, sourceLength, units: encodedUnits.map((u) => u.unit), operations };
    checkTable(table, basename(newImage));
    const { Compressor } = await import('zstd-napi');
    const compressor = new Compressor();
    compressor.setParameters({ compressionLevel: 19 });
    const tableBytes = compressor.compress(encodeTable(table));
    const preamble = Buffer.alloc(12);
    preamble.write(FILE_DELTA_MAGIC, 0, 'latin1');
    preamble.writeUInt32LE(tableBytes.length, 8);
    await writeFile(out, Buffer.concat([preamble, tableBytes, ...encodedUnits.map((u) => u.data)]), { mode: 0o600, flag: 'wx' });

    const count = { copy: 0, zero: 0, unit: 0 };
    const blocks = { copy: 0, zero: 0, unit: 0 };
    for (const op of operations) {
      count[op.kind]++;
      blocks[op.kind] += op.count;
    }
    return {
      payloadLength: preamble.length + tableBytes.length + encodedUnits.reduce((sum, u) => sum + u.data.length, 0),
      tableLength: tableBytes.length,
      blockSize,
      operations: count,
      blocks,
      units: units.map((plan, i) => ({
        what: plan.what,
        method: encodedUnits[i]!.unit.method,
        outputBytes: plan.output.length * blockSize,
        dataLength: encodedUnits[i]!.unit.dataLength,
        tried: encodedUnits[i]!.tried,
      })),
    };
  } finally {
    await source.close();
    await target.close();
  }
}

/** A file's name without version numbers, to find its old build under another name (libfoo.so.1.2 → libfoo.so.#). */
function stem(path: string): string {
  return path.replace(/(?<=[.-])\d+(\.\d+)*/g, '#');
}

/** A changed file as units within the bound: slices of its blocks, each with the same share of the old file's. */
function sliceUnit(what: string, output: number[], reference: number[], perUnit: number): UnitPlan[] {
  if (output.length <= perUnit && reference.length <= perUnit) return [{ what, output, reference }];
  const slices = Math.ceil(Math.max(output.length, reference.length) / perUnit);
  const plans: UnitPlan[] = [];
  for (let i = 0; i < slices; i++) {
    const out = output.slice(Math.floor((i * output.length) / slices), Math.floor(((i + 1) * output.length) / slices));
    const ref = reference.slice(Math.floor((i * reference.length) / slices), Math.floor(((i + 1) * reference.length) / slices));
    if (out.length > 0) plans.push({ what: `${what} [part ${i + 1} of ${slices}]`, output: out, reference: ref });
  }
  return plans;
}

function toExtents(blocks: number[]): Extent[] {
  const extents: Extent[] = [];
  for (const block of blocks) {
    const last = extents.at(-1);
    if (last && last.start + last.count === block) last.count++;
    else extents.push({ start: block, count: 1 });
  }
  return extents;
}

/** A 16-byte digest (SHA-256, cut) of each block; a partial last block is hashed zero-padded, as the applier reads it. */
async function blockHashes(handle: FileHandle | null, length: number, blockSize: number): Promise<Buffer> {
  const blocks = blocksOf(length, blockSize);
  const hashes = Buffer.alloc(blocks * 16);
  const buffer = Buffer.alloc(Math.max(blockSize, HASH_READ - (HASH_READ % blockSize)));
  for (let at = 0; at < blocks * blockSize;) {
    const want = Math.min(buffer.length, blocks * blockSize - at);
    buffer.fill(0, 0, want);
    if (handle) await handle.read(buffer, 0, Math.min(want, Math.max(0, length - at)), at);
    for (let off = 0; off < want; off += blockSize) {
      const block = (at + off) / blockSize;
      createHash('sha256')
        .update(buffer.subarray(off, off + blockSize))
        .digest()
        .copy(hashes, block * 16, 0, 16);
    }
    at += want;
  }
  return hashes;
}

async function readBlocks(handle: FileHandle, blocks: number[], blockSize: number, length: number): Promise<Buffer> {
  const bytes = Buffer.alloc(blocks.length * blockSize);
  let into = 0;
  for (const extent of toExtents(blocks)) {
    const at = extent.start * blockSize;
    await handle.read(bytes, into, Math.max(0, Math.min(extent.count * blockSize, length - at)), at);
    into += extent.count * blockSize;
  }
  return bytes;
}
