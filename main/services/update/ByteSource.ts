import type { ChunkSupplier } from './FileChunks.js';

/**
 * Pull-style reading of exact byte counts from a stream of chunks (a file or a download), holding
 * at most one source chunk beyond what the caller took: how the bundle reader stays streaming.
 */
export class ByteSource {
  private readonly supplier: ChunkSupplier;
  private pending: Buffer | undefined;
  /** `pending` is part of a lent chunk (valid only until the next pull). */
  private pendingLent = false;
  private ended = false;
  private closed = false;
  /** Bytes handed out so far: the offset of the next byte. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array> | ChunkSupplier) {
    this.supplier = Symbol.asyncIterator in source ? iteratorSupplier(source) : source;
  }

  /** Up to `count` bytes in one buffer: fewer only when the source ends. For small, capped reads. */
  async read(count: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.take(count)) parts.push(chunk);
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /**
   * Yields the next `count` bytes as they arrive (fewer only when the source ends). With `lend`, a
   * yielded chunk may be reused once the caller asks for the next one: only for callers done with
   * each chunk by then (hashing); without it, every chunk is the caller's to keep.
   */
  async *take(count: number, lend = false): AsyncGenerator<Buffer, void, undefined> {
    let left = count;
    while (left > 0 && (await this.fill(lend))) {
      if (this.pendingLent && !lend) {
        // Left over from a lending read: copied once, so the caller may keep it.
        this.pending = Buffer.from(this.pending!);
        this.pendingLent = false;
      }
      const chunk = this.pending!;
      const part = chunk.length <= left ? chunk : chunk.subarray(0, left);
      this.pending = chunk.length <= left ? undefined : chunk.subarray(left);
      // Counted before the yield: a consumer that stops here loses no byte of the count.
      left -= part.length;
      this.position += part.length;
      yield part;
    }
  }

  /** True when the source has no byte left. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(false));
  }

  /** Counts the bytes left, reading at most `limit` of them (a hostile stream may never end). */
  async countRemaining(limit: number): Promise<number> {
    let count = 0;
    for await (const chunk of this.take(limit, true)) count += chunk.length;
    return count;
  }

  async close(): Promise<void> {
    this.pending = undefined;
    this.ended = true;
    // Also after the end: a file's descriptor stays open until its supplier closes.
    if (!this.closed) {
      this.closed = true;
      await this.supplier.close();
    }
  }

  private async fill(lend: boolean): Promise<boolean> {
    while (!this.pending || this.pending.length === 0) {
      if (this.ended) return false;
      const next = await this.supplier.next(lend);
      if (next === undefined) {
        this.ended = true;
        return false;
      }
      this.pending = next;
      this.pendingLent = lend;
    }
    return true;
  }
}

/** A stream (a download, stdin) as a supplier: its chunks are never reused, so never lent. */
function iteratorSupplier(source: AsyncIterable<Uint8Array>): ChunkSupplier {
  const iterator = source[Symbol.asyncIterator]();
  return {
    async next() {
      // Empty chunks are skipped: `undefined` means the end.
      for (;;) {
        const next = await iterator.next();
        if (next.done) return undefined;
        const value = next.value;
        if (value.byteLength === 0) continue;
        return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      }
    },
    async close() {
      await iterator.return?.();
    },
  };
}
