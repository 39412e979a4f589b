import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../../../src/api/errors.js';
import type { DeltaImage } from '../../../../src/update/delta.js';
import {
  FILE_DELTA_MAGIC,
  FILE_DELTA_PREAMBLE,
  MAX_TABLE_BYTES,
  blocksOf,
  decodeTable,
  malformed,
  type Extent,
  type FileDeltaTable,
} from '../../../../src/update/fileDelta.js';
import { decodeUnit, type UnitDecodeTools } from './unitDecoders.js';
import type { PatchStream } from './zstdPatchProcess.js';

/** The target is yielded in chunks of at most this: the applier's memory beside one unit. */
const CHUNK = 4 * 1024 * 1024;

export interface FileDeltaApplyOptions {
  image: DeltaImage;
  /** The payload as it streams out of the bundle (checked by the reader against its signed length and hash). */
  payload: PatchStream;
  /** The source slot, already checked against the signed source hash by the caller. */
  sourcePath: string;
  /** Where the private working folder goes (the payload and the units' outputs: their size, not the image's). */
  tempDir?: string;
  tools?: Partial<UnitDecodeTools>;
}

/**
 * Rebuilds the target image of a file-aware delta (src/update/fileDelta.ts) and yields its bytes
 * in order, from the first. Nothing is yielded before the whole payload arrived and passed the
 * bundle's signed hash (it is kept in a private file meanwhile), its table parsed and checked, and
 * every unit decoded and matched with its own SHA-256: a tampered, truncated or malformed delta
 * fails before a byte reaches the slot. Then each operation's blocks come from the source slot
 * (read only, within the source image), zeros, or the decoded units. Memory: one unit's data,
 * reference and output (each at most MAX_UNIT_BYTES) while units decode, then one chunk.
 *
 * Source checks are the caller's (before anything is touched); the caller also checks what was
 * written against the signed target length and hash (read back from the slot).
 */
export async function* applyFileDelta(options: FileDeltaApplyOptions): AsyncGenerator<Buffer, void, undefined> {
  const { image } = options;
  const tools = { xz: 'xz', xdelta3: 'xdelta3', ...options.tools };
  const base = options.tempDir ?? tmpdir();
  await mkdir(base, { recursive: true, mode: 0o700 });
  const work = await mkdtemp(join(base, 'hc-file-delta-'));
  try {
    const payloadPath = join(work, 'payload');
    const payloadLength = await spool(options.payload, payloadPath);
    const payload = await open(payloadPath, 'r');
    const source = await open(options.sourcePath, 'r');
    let outputs: FileHandle | undefined;
    try {
      const { table, tableLength } = await readTable(image, payload, payloadLength);
      const readSource = sourceReader(source, table);
      // Every unit decoded and checked before the first target byte.
      outputs = await open(join(work, 'units'), 'w+', 0o600);
      const unitAt: number[] = [];
      let dataAt = FILE_DELTA_PREAMBLE + tableLength;
      let outputAt = 0;
      for (const [index, unit] of table.units.entries()) {
        const data = await readExactly(payload, dataAt, unit.dataLength);
        dataAt += unit.dataLength;
        const reference = unit.reference.length > 0 ? await readSource(unit.reference) : undefined;
        const outputLength = unit.outputBlocks * table.blockSize;
        const output = await decodeUnit(image.name, unit.method, data, reference, outputLength, work, tools);
        if (output.length !== outputLength || !createHash('sha256').update(output).digest().equals(unit.sha256)) {
          // The payload passed its signed hash: a unit that decodes to other bytes had other reference bytes.
          throw new AppError(
            unit.reference.length > 0 ? 'DELTA_SOURCE_MISMATCH' : 'DELTA_TOOL_FAILED',
            `Image "${image.name}": unit ${index} of the file-aware delta does not decode to its signed bytes.`,
            { image: image.name, unit: index, method: unit.method, operation: 'apply' },
          );
        }
        await writeAll(outputs, output, outputAt);
        unitAt.push(outputAt);
        outputAt += outputLength;
      }

      let written = 0;
      const zeros = Buffer.alloc(Math.min(CHUNK, blocksOf(table.targetLength, table.blockSize) * table.blockSize));
      for (const op of table.operations) {
        for (let done = 0; done < op.count;) {
          const blocks = Math.min(op.count - done, Math.max(1, Math.floor(CHUNK / table.blockSize)));
          let chunk: Buffer;
          if (op.kind === 'zero') chunk = zeros.subarray(0, blocks * table.blockSize);
          else if (op.kind === 'copy') chunk = await readSource([{ start: op.sourceStart + done, count: blocks }]);
          else chunk = await readExactly(outputs, unitAt[op.unit]! + (op.offset + done) * table.blockSize, blocks * table.blockSize);
          done += blocks;
          // The last block of an image whose length is not a whole number of blocks.
          if (written + chunk.length > table.targetLength) chunk = chunk.subarray(0, table.targetLength - written);
          written += chunk.length;
          // The zero buffer is shared between chunks: never written to, by us or the slot writer.
          yield chunk;
        }
      }
    } finally {
      await outputs?.close();
      await source.close();
      await payload.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function readTable(image: DeltaImage, payload: FileHandle, payloadLength: number): Promise<{ table: FileDeltaTable; tableLength: number }> {
  if (payloadLength < FILE_DELTA_PREAMBLE) throw malformed(image.name, `a ${payloadLength}-byte payload`);
  const preamble = await readExactly(payload, 0, FILE_DELTA_PREAMBLE);
  if (preamble.toString('latin1', 0, 8) !== FILE_DELTA_MAGIC) throw malformed(image.name, 'not a hsdelta-1 payload (its magic)');
  const tableLength = preamble.readUInt32LE(8);
  if (tableLength > MAX_TABLE_BYTES || FILE_DELTA_PREAMBLE + tableLength > payloadLength)
    throw malformed(image.name, `a ${tableLength}-byte table in a ${payloadLength}-byte payload`);
  const { Decompressor } = await import('zstd-napi');
  let bytes: Uint8Array;
  try {
    bytes = new Decompressor().decompress(await readExactly(payload, FILE_DELTA_PREAMBLE, tableLength));
  } catch (error) {
    throw malformed(image.name, `its table is not a zstd frame (${(error as Error).message})`);
  }
  const table = decodeTable(bytes, image.name);
  if (table.targetLength !== image.uncompressed.length || table.sourceLength !== image.delta.sourceLength)
    throw malformed(image.name, 'its lengths are not the signed ones');
  const dataLength = table.units.reduce((sum, unit) => sum + unit.dataLength, 0);
  if (FILE_DELTA_PREAMBLE + tableLength + dataLength !== payloadLength)
    throw malformed(image.name, "its units' lengths do not add up to the payload");
  return { table, tableLength };
}

/** Reads source blocks; bytes past the source image's length (in its last block) read as zero. */
function sourceReader(source: FileHandle, table: FileDeltaTable): (extents: Extent[]) => Promise<Buffer> {
  return async (extents) => {
    const bytes = Buffer.alloc(extents.reduce((sum, e) => sum + e.count, 0) * table.blockSize);
    let into = 0;
    for (const extent of extents) {
      const at = extent.start * table.blockSize;
      const want = Math.max(0, Math.min(extent.count * table.blockSize, table.sourceLength - at));
      if (want > 0) {
        const got = await readInto(source, bytes, into, want, at);
        if (got !== want) throw new AppError('DELTA_SOURCE_MISMATCH', `The source slot ends before byte ${at + want} the delta reads.`, { at });
      }
      into += extent.count * table.blockSize;
    }
    return bytes;
  };
}

async function spool(payload: PatchStream, path: string): Promise<number> {
  const file = await open(path, 'wx', 0o600);
  let length = 0;
  try {
    // The reader throws at the payload's end if its length or hash differ from the signed ones.
    for await (const chunk of payload) {
      await writeAll(file, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), length);
      length += chunk.byteLength;
    }
  } finally {
    await file.close();
  }
  return length;
}

async function readExactly(handle: FileHandle, at: number, length: number): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(length);
  const got = await readInto(handle, bytes, 0, length, at);
  if (got !== length) throw new Error(`short read at ${at}: ${got} of ${length} bytes`);
  return bytes;
}

async function readInto(handle: FileHandle, into: Buffer, offset: number, length: number, at: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(into, offset + done, length - done, at + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

async function writeAll(handle: FileHandle, bytes: Buffer, at: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done, at + done)).bytesWritten;
}
