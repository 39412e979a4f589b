import { withDirectoryLock } from './LogDirectoryLock.js';
import { enforceRetention, type RetentionPolicy } from './LogRetention.js';
import type { ProblemReport } from './RotatingLogOptions.js';

/** Retention of the folder (LogRetention.ts) under its lock: after each rotation, when the disk is full, and on a timer. */
export class RetentionPasses {
  /** The pass under way: passes asked for while one runs share it. */
  running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly stream: string,
    private readonly policy: RetentionPolicy | undefined,
    private readonly clock: () => number,
    private readonly onProblem: ProblemReport,
  ) {}

  run(): Promise<void> {
    this.running ??= withDirectoryLock(this.dir, async () => enforceRetention(this.dir, this.stream, this.policy ?? {}, this.clock()))
      .then(
        () => undefined,
        (error) => this.onProblem('retention', error),
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Runs a pass every `everyMs` besides the ones asked for, until `stop` (the timer keeps no process alive). */
  runEvery(everyMs: number): void {
    this.timer = setInterval(() => void this.run(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
