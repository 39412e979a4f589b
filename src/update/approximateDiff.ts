import { VarintReader, VarintWriter, type VarintReadProblem } from './varintCodec.js';
/**
 * An approximate-match diff in the manner of bsdiff, for file-system metadata (the `adiff-xz`
 * unit method of src/update/fileDelta.ts): the output is cut in 64-byte chunks, and each chunk
 * is either the bytewise difference (mod 256) from the reference bytes at some offset, or literal.
 * Inode tables, extent trees and directories of a rebuilt image differ from the old ones in a few
 * bytes per record (times, checksums, block numbers shifted by the same amount) at offsets that
 * moved: an LZ matcher pays for every short match between those bytes, while their differences are
 * mostly zeros and repeated values, which LZMA then packs to little. Pure: no I/O, no compression.
 *
 * Encoding (all numbers LEB128): chunk size, output length, then three length-prefixed streams:
 * controls (per chunk: 0 literal, 1 difference at the previous chunk's offset, 2 difference at a
 * new offset followed by its change, zigzag), differences (a chunk's bytes each), literals.
 */

const CHUNK = 64;
const SEED = 8;
const BUCKET_BITS = 20;
const WAYS = 4;

export function makeApproximateDiff(reference: Uint8Array, output: Uint8Array, chunkSize = CHUNK): Uint8Array {
  const index = seedIndex(reference);
  const controls = new VarintWriter();
  const differences = new VarintWriter();
  const literals = new VarintWriter();
  let offset = 0; // reference position minus output position
  for (let at = 0; at < output.length; at += chunkSize) {
    const end = Math.min(at + chunkSize, output.length);
    const candidates = new Set<number>([offset, 0]);
    for (let k = at; k + SEED <= end; k++) {
      const bucket = (seedHash(output, k) >>> (32 - BUCKET_BITS)) * WAYS;
      for (let w = 0; w < WAYS; w++) {
        const position = index[bucket + w]!;
        if (position >= 0) candidates.add(position - k);
      }
    }
    let best = offset;
    let bestMismatches = Infinity;
    for (const candidate of candidates) {
      if (at + candidate < 0 || end + candidate > reference.length) continue;
      let mismatches = 0;
      for (let i = at; i < end && mismatches < bestMismatches; i++) if (output[i] !== reference[i + candidate]) mismatches++;
      // The continuing offset wins ties: it costs no control bytes.
      if (mismatches < bestMismatches || (mismatches === bestMismatches && candidate === offset)) {
        best = candidate;
        bestMismatches = mismatches;
      }
    }
    if (bestMismatches * 2 > end - at) {
      controls.byte(0);
      literals.bytes(output.subarray(at, end));
      continue;
    }
    if (best === offset) controls.byte(1);
    else {
      controls.byte(2);
      controls.signed(best - offset);
      offset = best;
    }
    for (let i = at; i < end; i++) differences.byte((output[i]! - reference[i + best]!) & 0xff);
  }
  const out = new VarintWriter();
  out.varint(chunkSize);
  out.varint(output.length);
  for (const stream of [controls, differences, literals]) {
    const bytes = stream.finish();
    out.varint(bytes.length);
    out.bytes(bytes);
  }
  return out.finish();
}

/** Rebuilds the output; throws (a plain Error: the caller says what it means) on anything that does not fit. */
export function applyApproximateDiff(reference: Uint8Array, diff: Uint8Array, outputLength: number): Uint8Array {
  const input = new VarintReader(diff, diffProblem);
  const chunk = input.varint();
  const length = input.varint();
  if (chunk < 1 || chunk > 1 << 20 || length !== outputLength) throw new Error('the diff is for another length or chunk size');
  const controls = new VarintReader(input.bytes(input.varint()), diffProblem);
  const differences = new VarintReader(input.bytes(input.varint()), diffProblem);
  const literals = new VarintReader(input.bytes(input.varint()), diffProblem);
  if (!input.atEnd()) throw new Error('bytes after the diff');
  const output = new Uint8Array(length);
  let offset = 0;
  for (let at = 0; at < length; at += chunk) {
    const end = Math.min(at + chunk, length);
    const kind = controls.byte();
    if (kind === 0) {
      output.set(literals.bytes(end - at), at);
      continue;
    }
    if (kind === 2) offset += controls.signed();
    else if (kind !== 1) throw new Error(`unknown chunk kind ${kind}`);
    if (at + offset < 0 || end + offset > reference.length) throw new Error('a chunk reads outside the reference');
    const delta = differences.bytes(end - at);
    for (let i = at; i < end; i++) output[i] = (reference[i + offset]! + delta[i - at]!) & 0xff;
  }
  if (!controls.atEnd() || !differences.atEnd() || !literals.atEnd()) throw new Error('the diff has bytes no chunk used');
  return output;
}

/** Up to WAYS reference positions per seed hash (the first ones seen): enough to find a moved record. */
function seedIndex(reference: Uint8Array): Int32Array {
  const index = new Int32Array((1 << BUCKET_BITS) * WAYS).fill(-1);
  for (let k = 0; k + SEED <= reference.length; k++) {
    const bucket = (seedHash(reference, k) >>> (32 - BUCKET_BITS)) * WAYS;
    for (let w = 0; w < WAYS; w++) {
      if (index[bucket + w] === -1) {
        index[bucket + w] = k;
        break;
      }
    }
  }
  return index;
}

function seedHash(bytes: Uint8Array, at: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < SEED; i++) h = Math.imul(h ^ bytes[at + i]!, 0x01000193);
  return h >>> 0;
}

function diffProblem(problem: VarintReadProblem): Error {
  return new Error(problem === 'ends early' ? 'the diff ends early' : 'a number in the diff is too large');
}
