import { formatLogLine, levelRank, type LogLevel, type LogRecord, type Subsystem } from '../../../src/logging/logRecord.js';

export interface LogSink {
  append(line: string): void;
  /** Where the sink stands in the lines it was given (opaque): taken before a batch, handed to `settle` after it. */
  mark?(): LogMark;
  /**
   * Resolves once every line appended so far has reached the kernel (write(2) returned) or was
   * dropped, and with `sync` has been fdatasync'd as well; lines appended later are not waited for.
   * Reports what became of the lines appended since `since`. Only a sink that keeps lines on disk
   * has it; a sink that is a wrapper forwards it (settleSinks).
   */
  settle?(since: LogMark, options?: SettleOptions): Promise<SettleReport>;
}

/** Opaque: what a sink's `mark` returned. */
export type LogMark = unknown;

export interface SettleOptions {
  /** Wait for fdatasync too: the lines survive a power cut, not only the process dying. */
  sync?: boolean;
}

/** Of the lines since the mark: how many never reached the file, and how many were written but could not be synced. */
export interface SettleReport {
  dropped: number;
  unsynced: number;
}

/** The marks of several sinks, one each (undefined for a sink without settle). */
export function markSinks(sinks: readonly LogSink[]): LogMark[] {
  return sinks.map((sink) => sink.mark?.());
}

/** Settles every sink that can, from the marks markSinks took; the reports add up. */
export async function settleSinks(sinks: readonly LogSink[], since: LogMark, options?: SettleOptions): Promise<SettleReport> {
  const marks = since as LogMark[];
  const reports = await Promise.all(sinks.map((sink, i) => sink.settle?.(marks[i], options)));
  return reports.reduce<SettleReport>(
    (sum, report) => (report ? { dropped: sum.dropped + report.dropped, unsynced: sum.unsynced + report.unsynced } : sum),
    { dropped: 0, unsynced: 0 },
  );
}

export interface LoggerContext {
  version: string;
  commit: string;
  bootId: string;
}

/**
 * The structured logger of a process: one per process, a child per subsystem. Entries below
 * `minLevel` cost a comparison; the rest one JSON line handed to the sinks.
 */
export class Logger {
  private seq = 0;

  constructor(
    private context: LoggerContext,
    private readonly sinks: LogSink[],
    private readonly minLevel: LogLevel = 'info',
  ) {}

  /** A new boot (the simulated power cycle) changes the boot id and restarts the sequence. */
  setBootId(bootId: string): void {
    if (bootId === this.context.bootId) return;
    this.context = { ...this.context, bootId };
    this.seq = 0;
  }

  for(subsystem: Subsystem): SubsystemLogger {
    return new SubsystemLogger(this, subsystem);
  }

  /** Whether entries at `level` are kept (at or above the logger's level). */
  enabled(level: LogLevel): boolean {
    return levelRank(level) >= levelRank(this.minLevel);
  }

  log(level: LogLevel, subsystem: Subsystem, msg: string, fields?: Record<string, unknown>): void {
    if (levelRank(level) < levelRank(this.minLevel)) return;
    const record: LogRecord = {
      time: new Date().toISOString(),
      level,
      subsystem,
      msg,
      ...this.context,
      seq: ++this.seq,
      ...(fields ? { fields } : {}),
    };
    const line = formatLogLine(record);
    for (const sink of this.sinks) sink.append(line);
  }

  /** Where the sinks stand: take it before logging a batch, then `settle` from it. */
  mark(): LogMark {
    return markSinks(this.sinks);
  }

  /** Resolves once the lines logged so far are written (synced with `sync`); reports what became of those since `since`. */
  settle(since: LogMark, options?: SettleOptions): Promise<SettleReport> {
    return settleSinks(this.sinks, since, options);
  }
}

export class SubsystemLogger {
  constructor(
    private readonly logger: Logger,
    readonly subsystem: Subsystem,
  ) {}

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.logger.log('debug', this.subsystem, msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.logger.log('info', this.subsystem, msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.logger.log('warn', this.subsystem, msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.logger.log('error', this.subsystem, msg, fields);
  }
  fatal(msg: string, fields?: Record<string, unknown>): void {
    this.logger.log('fatal', this.subsystem, msg, fields);
  }
}
