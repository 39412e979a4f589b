/**
 * Growable byte output and bounded input with LEB128 varints and zigzag signed numbers: the
 * encoding of the file-aware delta's table and of the approximate diff (docs/bundle-format.md).
 */
export class VarintWriter {
  private buffer = new Uint8Array(1024);
  private length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const bigger = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
    bigger.set(this.buffer.subarray(0, this.length));
    this.buffer = bigger;
  }

  byte(value: number): void {
    this.room(1);
    this.buffer[this.length++] = value;
  }

  bytes(value: Uint8Array): void {
    this.room(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** LEB128 of a non-negative safe integer (arithmetic, not 32-bit shifts). */
  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`not a non-negative safe integer: ${value}`);
    while (value >= 0x80) {
      this.byte((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.byte(value);
  }

  /** Zigzag: small magnitudes either way stay short. */
  signed(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Why a read failed; the owner turns it into its own error (a malformed bundle, a bad diff). */
export type VarintReadProblem = 'ends early' | 'too large';

export class VarintReader {
  private at = 0;

  constructor(
    private readonly input: Uint8Array,
    private readonly fail: (problem: VarintReadProblem) => Error,
  ) {}

  byte(): number {
    if (this.at >= this.input.length) throw this.fail('ends early');
    return this.input[this.at++]!;
  }

  /** A view into the input (no copy). */
  bytes(n: number): Uint8Array {
    if (n > this.input.length - this.at) throw this.fail('ends early');
    this.at += n;
    return this.input.subarray(this.at - n, this.at);
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(value)) break;
        return value;
      }
      scale *= 0x80;
    }
    throw this.fail('too large');
  }

  signed(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  atEnd(): boolean {
    return this.at === this.input.length;
  }
}
