import { compressRotatedFile } from './RotatedLogCompression.js';
import type { ProblemReport } from './RotatingLogOptions.js';

/** Rotated files waiting to be gzipped, one at a time in the background (off the writing path). */
export class CompressionQueue {
  /** The compression under way. */
  running: Promise<void> | undefined;
  private readonly queue: string[] = [];
  private stopped = false;

  /** `enabled` false: rotated files stay as they are. */
  constructor(
    private readonly dir: string,
    private readonly enabled: boolean,
    private readonly onProblem: ProblemReport,
  ) {}

  /** Queues rotated files (names in the folder) and starts on the first if none is under way. */
  add(...names: string[]): void {
    if (this.enabled) this.queue.push(...names);
    this.next();
  }

  /** Starts no more compressions (the one under way finishes; the rest is left for the next owner's recovery). */
  stop(): void {
    this.stopped = true;
  }

  private next(): void {
    if (this.running || this.queue.length === 0 || this.stopped) return;
    const name = this.queue.shift()!;
    this.running = compressRotatedFile(this.dir, name)
      .then(
        () => undefined,
        (error) => this.onProblem('compress', error),
      )
      .finally(() => {
        this.running = undefined;
        this.next();
      });
  }
}
