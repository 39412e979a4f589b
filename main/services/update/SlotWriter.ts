import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { checkSlotReadback } from '../../../src/update/installability.js';
import { fileSync } from '../storage/fileSync.js';

/** At most this much is gathered for one write while the previous one is in flight. */
const MAX_GATHERED = 16 * 1024 * 1024;
/** Read-back buffers: large, so a read-back is a few hundred system calls. */
const READ_BACK_CHUNK = 4 * 1024 * 1024;

/**
 * A source that can write itself into the slot (a tool writing straight into it, no bytes through
 * this process), or be streamed like any other. Its bytes are unverified until the read-back.
 */
export interface SlotFiller {
  /** Writes the image from the slot's first byte through `slot`'s file; resolves with the bytes written. */
  fillSlot(slot: FileHandle, options: { onProgress?: (bytes: number) => void; signal?: AbortSignal }): Promise<number>;
  /** The same bytes as a stream, for a caller that needs every chunk (a test's cut points). Either this or fillSlot, once. */
  chunks(): AsyncIterable<Buffer>;
}

export function isSlotFiller(source: unknown): source is SlotFiller {
  return typeof (source as Partial<SlotFiller> | undefined)?.fillSlot === 'function';
}

export interface SlotWriteOptions {
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
  /** Called after each chunk reached the file: where a test cuts the power. */
  afterChunk?: (bytesWritten: number) => void | Promise<void>;
}

/**
 * Streams an image into a slot partition (a block device on a headset, a file on the simulated
 * one) from its first byte, or lets a SlotFiller write it there, syncs it, then reads it back and
 * checks the signed length and hash.
 * Only a slot that passed this is ever offered to the bootloader.
 */
export async function writeImageToSlot(image: string, source: AsyncIterable<Buffer> | SlotFiller, slotPath: string, expected: { length: number; sha256: string }, options: SlotWriteOptions = {}): Promise<void> {
  const handle = await open(slotPath, 'r+');
  let position = 0;
  // One write in flight while the next chunks arrive: the two overlap instead of taking turns.
  // What arrives meanwhile is gathered and goes in one writev, not one write per pipe read.
  let inFlight: Promise<void> = Promise.resolve();
  let writing = false;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let pendingAt = 0;
  const issue = () => {
    const buffers = pending;
    const at = pendingAt;
    pending = [];
    pendingBytes = 0;
    pendingAt = position;
    writing = true;
    inFlight = writeAllV(handle, buffers, at).finally(() => (writing = false));
  };
  try {
    if (isSlotFiller(source) && !options.afterChunk) {
      position = await source.fillSlot(handle, { onProgress: options.onProgress, signal: options.signal });
    } else {
      for await (const chunk of isSlotFiller(source) ? source.chunks() : source) {
        options.signal?.throwIfAborted();
        pending.push(chunk);
        pendingBytes += chunk.length;
        position += chunk.length;
        if (options.afterChunk) {
          // A cut is taken where the chunk is on the medium, as before.
          await inFlight;
          issue();
          await inFlight;
          await options.afterChunk(position);
        } else if (!writing || pendingBytes >= MAX_GATHERED) {
          await inFlight;
          issue();
        }
        options.onProgress?.(position);
      }
    }
    await inFlight;
    if (pending.length > 0) {
      issue();
      await inFlight;
    }
    await fileSync().syncFile(handle, slotPath);
  } finally {
    await inFlight.catch(() => undefined);
    await handle.close();
  }
  // A fresh read of what the slot holds. (On a device the page cache may still answer; the sync
  // above is what makes it durable, this catches writes that went elsewhere or were cut short.)
  const hash = createHash('sha256');
  let length = 0;
  if (expected.length > 0) {
    for await (const chunk of createReadStream(slotPath, { start: 0, end: expected.length - 1, highWaterMark: READ_BACK_CHUNK })) {
      hash.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
  }
  checkSlotReadback(image, expected, { length: position === expected.length ? length : position, sha256: hash.digest('hex') });
}

/** Writes every byte of `buffers` at `at` (writev, then the rest of a short write). */
async function writeAllV(handle: FileHandle, buffers: Buffer[], at: number): Promise<void> {
  if (buffers.length === 0) return;
  const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  const written = (await handle.writev(buffers, at)).bytesWritten;
  if (written === total) return;
  const rest = Buffer.concat(buffers).subarray(written);
  let done = 0;
  while (done < rest.length) done += (await handle.write(rest, done, rest.length - done, at + written + done)).bytesWritten;
}

/** SHA-256 of the first `length` bytes of a slot: a health check of what the slot holds. */
export async function hashSlotPrefix(slotPath: string, length: number): Promise<string> {
  const hash = createHash('sha256');
  if (length > 0) for await (const chunk of createReadStream(slotPath, { start: 0, end: length - 1, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
