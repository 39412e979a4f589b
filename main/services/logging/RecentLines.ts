import type { LogSink } from './Logger.js';

/**
 * The last lines the process logged, kept in memory in a ring: what a crash record carries as the
 * state before the crash. Over-long lines are cut, so the ring's size is bounded in bytes too.
 */
export class RecentLines implements LogSink {
  private readonly ring: string[];
  private next = 0;
  private count = 0;

  constructor(
    readonly capacity = 200,
    private readonly maxLineChars = 4096,
  ) {
    this.ring = new Array<string>(capacity);
  }

  append(line: string): void {
    const text = line.endsWith('\n') ? line.slice(0, -1) : line;
    this.ring[this.next] = text.length > this.maxLineChars ? `${text.slice(0, this.maxLineChars)}…` : text;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** The kept lines, oldest first, without their newlines. */
  lines(): string[] {
    const start = (this.next - this.count + this.capacity) % this.capacity;
    return Array.from({ length: this.count }, (_, i) => this.ring[(start + i) % this.capacity]!);
  }
}
