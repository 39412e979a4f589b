import { LogBatcher, type LogBatcherOptions } from '../../../src/logging/logBatcher.js';

/** The renderer's logger: into headsetd's log through `logs.write` (see LogBatcher). */
export class RendererLog extends LogBatcher {
  constructor(send: ConstructorParameters<typeof LogBatcher>[0], options: Omit<LogBatcherOptions, 'process'> = {}) {
    super(send, { ...options, process: 'renderer' });
  }
}

/** The page's last resort: an uncaught error or an unhandled rejection becomes a crash record. */
export function installRendererCrashHandlers(log: LogBatcher, target: Pick<Window, 'addEventListener'> = window): void {
  let reported = false;
  const report = (error: unknown) => {
    // One record per page: an error storm after the first says nothing new.
    if (reported) return;
    reported = true;
    void log.crash(error);
  };
  target.addEventListener('error', (event: Event) => report((event as ErrorEvent).error ?? (event as ErrorEvent).message));
  target.addEventListener('unhandledrejection', (event: Event) => report((event as PromiseRejectionEvent).reason));
}
