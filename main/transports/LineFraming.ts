/**
 * Newline-delimited JSON over a byte stream (Unix socket). JSON.stringify never emits a raw newline,
 * so a newline always ends a message. A message longer than the limit is an error, never buffered.
 */
export class LineDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Returns the complete messages in `chunk`, or 'too-large' once a message exceeds the limit. */
  push(chunk: Buffer): string[] | 'too-large' {
    const messages: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      const part = chunk.subarray(start, nl);
      if (this.pendingBytes + part.length > this.maxMessageBytes) return 'too-large';
      const whole = this.pending.length ? Buffer.concat([...this.pending, part]) : part;
      this.pending = [];
      this.pendingBytes = 0;
      messages.push(whole.toString('utf8'));
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length) {
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxMessageBytes) return 'too-large';
      this.pending.push(rest);
    }
    return messages;
  }
}
