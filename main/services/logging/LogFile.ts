import { closeSync, fsyncSync, mkdirSync, openSync, write, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An append-only log file written in batches: lines are buffered and written asynchronously, one
 * write at a time, so logging a line never waits on the disk. `flushSync` writes what is buffered
 * right now, for a crash or a shutdown; it stops after `timeCapMs` so a dying disk cannot hold
 * the exit. A buffer that grows past `maxBufferedBytes` (the disk stalled) drops new lines and
 * counts them, rather than growing without bound.
 */
export class LogFile {
  private fd: number;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private writing = false;
  private timer: NodeJS.Timeout | undefined;
  dropped = 0;

  constructor(
    readonly path: string,
    private readonly options: { maxBufferedBytes?: number; flushDelayMs?: number; batchBytes?: number } = {},
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a', 0o640);
  }

  append(line: string): void {
    if (this.bufferedBytes + line.length > (this.options.maxBufferedBytes ?? 8 * 1024 * 1024)) {
      this.dropped++;
      return;
    }
    this.buffer.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= (this.options.batchBytes ?? 64 * 1024)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.flushDelayMs ?? 50);
  }

  /** Starts writing what is buffered (if no write is under way); returns at once. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing || this.buffer.length === 0 || this.fd < 0) return;
    const chunk = this.take();
    this.writing = true;
    write(this.fd, chunk, null, 'utf8', (error) => {
      this.writing = false;
      if (error) this.dropped += chunk.split('\n').length - 1;
      if (this.buffer.length > 0) this.flush();
    });
  }

  /** Writes everything buffered now, synchronously, within `timeCapMs`; then syncs the file. */
  flushSync(timeCapMs = 1000): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd < 0) return;
    const deadline = Date.now() + timeCapMs;
    const chunk = this.take();
    let data = Buffer.from(chunk, 'utf8');
    while (data.length > 0 && Date.now() < deadline) {
      try {
        data = data.subarray(writeSync(this.fd, data));
      } catch (error) {
        // EAGAIN from a pipe or a full device: try again until the cap, then give up.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') break;
      }
    }
    try {
      fsyncSync(this.fd);
    } catch {
      // Nothing more to do on the way out.
    }
  }

  /** Resolves once everything appended so far reached the file (tests, orderly shutdown). */
  async whenWritten(): Promise<void> {
    this.flush();
    while (this.writing || this.buffer.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      this.flush();
    }
  }

  close(): void {
    this.flushSync();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private take(): string {
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.bufferedBytes = 0;
    return chunk;
  }
}
