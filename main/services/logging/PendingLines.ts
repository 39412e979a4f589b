/**
 * The lines on their way to the file, each with its sequence number: buffered ones, the chunk
 * being written, and what a chunk left for the next file (it did not fit this one).
 */
export class PendingLines {
  /** Characters buffered (a bound on the memory a stalled disk can take). */
  bufferedChars = 0;
  /** Sequence numbers of the chunk being written. */
  writing: number[] = [];
  private buffer: string[] = [];
  private bufferSeqs: number[] = [];
  private carry: Buffer | undefined;
  private carrySeqs: number[] = [];

  constructor(private readonly maxBufferedBytes: number) {}

  /** Whether `line` fits in the buffer's bound. */
  fits(line: string): boolean {
    return this.bufferedChars + line.length <= this.maxBufferedBytes;
  }

  push(line: string, seq: number): void {
    this.buffer.push(line);
    this.bufferSeqs.push(seq);
    this.bufferedChars += line.length;
  }

  /** Whether lines wait in the buffer (a carried chunk aside). */
  hasBuffered(): boolean {
    return this.buffer.length > 0;
  }

  /** Whether nothing waits: no line buffered, no chunk carried. */
  isEmpty(): boolean {
    return this.buffer.length === 0 && !this.carry;
  }

  /** The oldest line not yet written or dropped. */
  oldestSeq(): number | undefined {
    return this.writing[0] ?? this.carrySeqs[0] ?? this.bufferSeqs[0];
  }

  /** The next chunk to write (its lines become `writing`): the carried chunk, else what is buffered up to `budget`. */
  takeChunk(budget: number): Buffer {
    if (this.carry) {
      const carried = this.carry;
      this.carry = undefined;
      this.writing = this.carrySeqs;
      this.carrySeqs = [];
      return carried;
    }
    let lines: string[];
    if (this.bufferedChars <= budget) {
      lines = this.buffer;
      this.writing = this.bufferSeqs;
      this.buffer = [];
      this.bufferSeqs = [];
      this.bufferedChars = 0;
    } else {
      let chars = 0;
      let count = 0;
      while (count < this.buffer.length && (count === 0 || chars + this.buffer[count]!.length <= budget)) chars += this.buffer[count++]!.length;
      lines = this.buffer.slice(0, count);
      this.writing = this.bufferSeqs.slice(0, count);
      this.buffer = this.buffer.slice(count);
      this.bufferSeqs = this.bufferSeqs.slice(count);
      this.bufferedChars -= chars;
    }
    return Buffer.from(lines.join(''), 'utf8');
  }

  /** Keeps the writing chunk's bytes from `from` (its lines after the first `lines`) for the next file. */
  carryFrom(chunk: Buffer, from: number, lines: number): void {
    this.carry = from < chunk.length ? chunk.subarray(from) : undefined;
    this.carrySeqs = this.writing.slice(lines);
    this.writing = this.writing.slice(0, lines);
  }

  /** Takes everything not yet being written, carried chunk first, as one buffer (the crash flush). */
  takeAll(): { data: Buffer; seqs: number[] } {
    const parts: Buffer[] = [];
    if (this.carry) parts.push(this.carry);
    if (this.buffer.length > 0) parts.push(Buffer.from(this.buffer.join(''), 'utf8'));
    const seqs = [...this.carrySeqs, ...this.bufferSeqs];
    this.carry = undefined;
    this.carrySeqs = [];
    this.buffer = [];
    this.bufferSeqs = [];
    this.bufferedChars = 0;
    return { data: Buffer.concat(parts), seqs };
  }
}

/** Lines in a chunk of whole lines (its newlines). */
export function countLines(data: Buffer): number {
  let count = 0;
  let at = data.indexOf(0x0a);
  while (at >= 0) {
    count++;
    at = data.indexOf(0x0a, at + 1);
  }
  return count;
}
