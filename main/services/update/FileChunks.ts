import { read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * Where ByteSource pulls its chunks from. `next(lend)` with `lend` true may return a chunk that is
 * valid only until the next call (its memory is reused): for a consumer that is done with each chunk
 * before asking for the next one, such as hashing. With `lend` false the chunk is the caller's to keep.
 */
export interface ChunkSupplier {
  next(lend: boolean): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

/**
 * Reads a file front to back, one read ahead of its consumer so that the next read (a copy out of the
 * page cache, on libuv's thread pool) runs while the consumer hashes the current chunk on the main
 * thread. Lent chunks live in two buffers used in turn, so hashing a whole file allocates nothing
 * (a fresh buffer per chunk costs a gigabyte of page faults and garbage collection per gigabyte read).
 * Memory: two chunks, plus the chunk a non-lending consumer keeps.
 */
export class FileChunks implements ChunkSupplier {
  private readonly ring: Buffer[] = [];
  private turn = 0;
  private ahead: Promise<Buffer | undefined> | undefined;
  private aheadInRing = false;
  private position = 0;
  private ended = false;
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    private readonly chunkSize: number,
    /** Sees every chunk once, as it is read (before it is handed out). */
    private readonly onRead?: (chunk: Buffer) => void,
  ) {}

  async next(lend: boolean): Promise<Buffer | undefined> {
    if (this.closed || (this.ended && !this.ahead)) return undefined;
    const inRing = this.ahead ? this.aheadInRing : lend;
    const pending = this.ahead ?? this.readInto(lend ? this.ringBuffer() : Buffer.allocUnsafeSlow(this.chunkSize));
    this.ahead = undefined;
    const chunk = await pending;
    if (chunk === undefined) return undefined;
    // Every earlier lent chunk is released now (the caller asked for the next one): read ahead.
    if (!this.ended) {
      this.aheadInRing = lend;
      this.ahead = this.readInto(lend ? this.ringBuffer() : Buffer.allocUnsafeSlow(this.chunkSize));
      // A failed read ahead is reported by the next call, not as an unhandled rejection.
      this.ahead.catch(() => undefined);
    }
    // A chunk read into the ring before the caller stopped lending: copied once, at the switch.
    return inRing && !lend ? Buffer.from(chunk) : chunk;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let a read in flight finish before its descriptor closes.
    await this.ahead?.catch(() => undefined);
    this.ahead = undefined;
    await this.handle.close();
  }

  private ringBuffer(): Buffer {
    const index = this.turn;
    this.turn ^= 1;
    return (this.ring[index] ??= Buffer.allocUnsafeSlow(this.chunkSize));
  }

  private readInto(buffer: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      read(this.handle.fd, buffer, 0, buffer.length, this.position, (error, bytesRead) => {
        if (error) return reject(error);
        if (bytesRead === 0) {
          this.ended = true;
          return resolve(undefined);
        }
        this.position += bytesRead;
        const chunk = buffer.subarray(0, bytesRead);
        this.onRead?.(chunk);
        resolve(chunk);
      });
    });
  }
}
