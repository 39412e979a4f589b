import type { LogRecord } from '../../src/logging/logRecord.js';
import type { SecretRedactor } from '../../src/secrets/SecretRegistry.js';
import { Logger, type LogSink } from '../services/logging/Logger.js';
import { RecentLines } from '../services/logging/RecentLines.js';
import { RotatingLogFile } from '../services/logging/RotatingLogFile.js';
import type { BuildInfo } from '../services/system/buildInfo.js';
import { LogForwardingSink } from '../services/telemetry/LogForwardingSink.js';
import { RedactingLogSink } from '../services/telemetry/RedactingLogSink.js';

/** The process's structured log and what hangs off it. */
export interface ProcessLog {
  logger: Logger;
  logFile: RotatingLogFile;
  /** The last lines, in memory: a crash record carries them. */
  recent: RecentLines;
  /** Warn, error and fatal entries reach telemetry through it once telemetry attaches. */
  forwarding: LogForwardingSink;
}

/**
 * headsetd's share of the log folder (Electron and the others write their own streams beside it):
 * files rotate at 4 MiB or daily, the folder holds at most 32 MiB and 14 days, and gives way when
 * the file system has less than 64 MiB free.
 */
const LOG_LIMITS = {
  maxFileBytes: 4 * 1024 * 1024,
  retention: { maxTotalBytes: 32 * 1024 * 1024, maxAgeMs: 14 * 86_400_000, maxRotatedFiles: 50, minFreeBytes: 64 * 1024 * 1024 },
};

/**
 * Opens the process log in `dir` (stream `headsetd`). Secrets, e-mails and precise positions are
 * redacted before any sink sees an entry: the file, the recent lines, telemetry and `echo` (one
 * plain line per entry, for headsetd's stdout, which is the journal). `secrets` are cut out by value.
 */
export async function openProcessLog(dir: string, build: BuildInfo, echo?: (line: string) => void, secrets?: SecretRedactor): Promise<ProcessLog> {
  const logFile = await RotatingLogFile.open({ dir, stream: 'headsetd', ...LOG_LIMITS });
  const recent = new RecentLines();
  const forwarding = new LogForwardingSink();
  const sinks: LogSink[] = [logFile, recent, forwarding];
  if (echo) sinks.push(new EchoSink(echo));
  const logger = new Logger({ version: build.version, commit: build.commit, bootId: '' }, [new RedactingLogSink(sinks, secrets)]);
  return { logger, logFile, recent, forwarding };
}

/** An entry as one line a person reads: `subsystem: message {fields}`. */
class EchoSink implements LogSink {
  constructor(private readonly echo: (line: string) => void) {}

  append(line: string): void {
    const record = JSON.parse(line) as LogRecord;
    const level = record.level === 'info' ? '' : `${record.level.toUpperCase()} `;
    this.echo(`${level}${record.subsystem}: ${record.msg}${record.fields ? ` ${JSON.stringify(record.fields)}` : ''}`);
  }
}
