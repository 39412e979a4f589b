import { nextCheckDelay } from '../../../src/update/checkSchedule.js';

/**
 * The update check that runs by itself: about one interval after it is (re)started and after each
 * check, sooner after failed ones (nextCheckDelay). Its timer never keeps the process alive.
 */
export class PeriodicCheck {
  private timer: NodeJS.Timeout | undefined;
  private failedChecks = 0;

  constructor(
    private readonly check: () => Promise<unknown>,
    /** Read at every (re)start: the wearer's setting may have changed. */
    private readonly intervalHours: () => number,
  ) {}

  restart(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        void this.check()
          .then(() => (this.failedChecks = 0))
          .catch(() => this.failedChecks++)
          .finally(() => this.restart());
      },
      nextCheckDelay(this.intervalHours() * 3_600_000, this.failedChecks),
    );
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
