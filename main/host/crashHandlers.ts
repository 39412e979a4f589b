import type { Headset } from './composition.js';
import { journalLine } from './journal.js';

/**
 * What headsetd does when it crashes (an uncaught exception or an unhandled rejection): a fatal
 * entry in the log, a crash record (stack, recent lines, last health snapshot) written and fsynced,
 * the log flushed synchronously within a time cap, then exit 70 (EX_SOFTWARE) for systemd to restart.
 */
export function installCrashHandlers(
  headset: Pick<Headset, 'logger' | 'logFile' | 'services' | 'secrets'>,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  let crashing = false;
  const crash = (kind: string) => (error: unknown) => {
    // A second failure while writing the first one down must not loop.
    if (crashing) return;
    crashing = true;
    const detail = error instanceof Error ? error : new Error(String(error));
    try {
      headset.logger.for('system').fatal(`${kind}: ${detail.message}`, { stack: detail.stack });
      headset.services.logs.crashes.recordSync({ process: 'headsetd', error: { name: detail.name, message: detail.message, stack: detail.stack } });
      headset.logFile.flushSync(1000);
    } finally {
      // stderr is the journal: the stack's message may quote a secret, as the log's would.
      console.error(journalLine(`${kind}: ${detail.stack ?? detail.message}`, headset.secrets));
      exit(70);
    }
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled rejection'));
}
