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
export async function writeImageToSlot(
  image: string,
  source: AsyncIterable<Buffer> | SlotFiller,
  slotPath: string,
  expected: { length: number; sha256: string },
  options: SlotWriteOptions = {},
): Promise<void> {
  const handle = await open(slotPath, 'r+');
  const trailing = await TrailingReadBack.open(slotPath, expected.length).catch(async (error: unknown) => {
    await handle.close();
    throw error;
  });
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
    const end = position;
    inFlight = writeAllV(handle, buffers, at)
      .then(() => trailing.advance(end))
      .finally(() => (writing = false));
  };
  try {
    if (isSlotFiller(source) && !options.afterChunk) {
      position = await source.fillSlot(handle, {
        onProgress: (bytes) => {
          trailing.advance(bytes);
          options.onProgress?.(bytes);
        },
        signal: options.signal,
      });
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
  } catch (error) {
    await trailing.close();
    throw error;
  } finally {
    await inFlight.catch(() => undefined);
    await handle.close();
  }
  const readBack = await trailing.finish();
  checkSlotReadback(image, expected, { length: position === expected.length ? readBack.length : position, sha256: readBack.sha256 });
}

/**
 * The read-back, kept just behind the writer: each range is read from the slot and hashed once its
 * write has completed, while later ones are still being written, and the rest after the fsync. A
 * read before the fsync and one after it both see what the kernel holds for the slot (its page
 * cache): the same bytes, so the check is the same; it catches writes that went elsewhere or were
 * cut short. What makes them durable is the fsync, which still comes before anything trusts them.
 */
class TrailingReadBack {
  private readonly hash = createHash('sha256');
  private hashed = 0;
  private reading: Promise<void> | undefined;
  private failure: unknown;
  private readonly buffer = Buffer.allocUnsafe(READ_BACK_CHUNK);

  private constructor(
    private readonly handle: FileHandle,
    private readonly length: number,
  ) {}

  static async open(slotPath: string, length: number): Promise<TrailingReadBack> {
    return new TrailingReadBack(await open(slotPath, 'r'), length);
  }

  /** Bytes [0, written) are in the slot: reads on up to there (one read at a time, whole chunks). */
  advance(written: number): void {
    if (this.reading || this.failure !== undefined || Math.min(written, this.length) - this.hashed < READ_BACK_CHUNK) return;
    this.reading = this.readUpTo(Math.min(written, this.length), true)
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => (this.reading = undefined));
  }

  /** After the fsync: reads the rest; the hash and length of the first `length` bytes (fewer if the slot is shorter). */
  async finish(): Promise<{ length: number; sha256: string }> {
    try {
      await this.reading;
      if (this.failure !== undefined) throw this.failure;
      await this.readUpTo(this.length, false);
      return { length: this.hashed, sha256: this.hash.digest('hex') };
    } finally {
      await this.handle.close();
    }
  }

  async close(): Promise<void> {
    await this.reading?.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }

  private async readUpTo(end: number, wholeChunks: boolean): Promise<void> {
    while (this.hashed < end) {
      const want = Math.min(READ_BACK_CHUNK, end - this.hashed);
      if (wholeChunks && want < READ_BACK_CHUNK) return;
      const { bytesRead } = await this.handle.read(this.buffer, 0, want, this.hashed);
      if (bytesRead === 0) return; // the slot ends here
      this.hash.update(this.buffer.subarray(0, bytesRead));
      this.hashed += bytesRead;
    }
  }
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
  if (length > 0)
    for await (const chunk of createReadStream(slotPath, { start: 0, end: length - 1, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
