/**
 * Runs tasks one after another, each after the previous one settled: the outbox's files and
 * counters are changed by one task at a time. A failed task rejects its own caller only.
 */
export class SerialWork {
  private tail: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
