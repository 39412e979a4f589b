import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { checkSlotReadback } from '../../../src/update/installability.js';

export interface SlotWriteOptions {
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
  /** Called after each chunk reached the file: where a test cuts the power. */
  afterChunk?: (bytesWritten: number) => void | Promise<void>;
}

/**
 * Streams an image into a slot partition (a block device on a headset, a file on the simulated
 * one) from its first byte, syncs it, then reads it back and checks the signed length and hash.
 * Only a slot that passed this is ever offered to the bootloader.
 */
export async function writeImageToSlot(image: string, source: AsyncIterable<Buffer>, slotPath: string, expected: { length: number; sha256: string }, options: SlotWriteOptions = {}): Promise<void> {
  const handle = await open(slotPath, 'r+');
  let position = 0;
  // One write in flight while the next chunk is decompressed: the two overlap instead of taking turns.
  let inFlight: Promise<void> = Promise.resolve();
  const writeAt = async (chunk: Buffer, at: number) => {
    let written = 0;
    while (written < chunk.length) written += (await handle.write(chunk, written, chunk.length - written, at + written)).bytesWritten;
  };
  try {
    for await (const chunk of source) {
      options.signal?.throwIfAborted();
      await inFlight;
      const at = position;
      position += chunk.length;
      inFlight = writeAt(chunk, at);
      if (options.afterChunk) {
        // A cut is taken where the chunk is on the medium, as before.
        await inFlight;
        await options.afterChunk(position);
      }
      options.onProgress?.(position);
    }
    await inFlight;
    await handle.sync();
  } finally {
    await inFlight.catch(() => undefined);
    await handle.close();
  }
  // A fresh read of what the slot holds. (On a device the page cache may still answer; the sync
  // above is what makes it durable, this catches writes that went elsewhere or were cut short.)
  const hash = createHash('sha256');
  let length = 0;
  if (expected.length > 0) {
    for await (const chunk of createReadStream(slotPath, { start: 0, end: expected.length - 1, highWaterMark: 1024 * 1024 })) {
      hash.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
  }
  checkSlotReadback(image, expected, { length: position === expected.length ? length : position, sha256: hash.digest('hex') });
}

/** SHA-256 of the first `length` bytes of a slot: a health check of what the slot holds. */
export async function hashSlotPrefix(slotPath: string, length: number): Promise<string> {
  const hash = createHash('sha256');
  if (length > 0) for await (const chunk of createReadStream(slotPath, { start: 0, end: length - 1, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
