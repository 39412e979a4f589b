/**
 * Pull-style reading of exact byte counts from a stream of chunks (a file or a download), holding
 * at most one source chunk beyond what the caller took: how the bundle reader stays streaming.
 */
export class ByteSource {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Buffer | undefined;
  private ended = false;
  /** Bytes handed out so far: the offset of the next byte. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Up to `count` bytes in one buffer: fewer only when the source ends. For small, capped reads. */
  async read(count: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.take(count)) parts.push(chunk);
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Yields the next `count` bytes as they arrive (fewer only when the source ends). */
  async *take(count: number): AsyncGenerator<Buffer, void, undefined> {
    let left = count;
    while (left > 0 && (await this.fill())) {
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
    return !(await this.fill());
  }

  /** Counts the bytes left, reading at most `limit` of them (a hostile stream may never end). */
  async countRemaining(limit: number): Promise<number> {
    let count = 0;
    for await (const chunk of this.take(limit)) count += chunk.length;
    return count;
  }

  async close(): Promise<void> {
    this.pending = undefined;
    if (!this.ended) {
      this.ended = true;
      await this.iterator.return?.();
    }
  }

  private async fill(): Promise<boolean> {
    while (!this.pending || this.pending.length === 0) {
      if (this.ended) return false;
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      const value = next.value;
      this.pending = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
    return true;
  }
}
