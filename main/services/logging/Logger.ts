import { formatLogLine, levelRank, type LogLevel, type LogRecord, type Subsystem } from '../../../src/logging/logRecord.js';

export interface LogSink {
  append(line: string): void;
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

  log(level: LogLevel, subsystem: Subsystem, msg: string, fields?: Record<string, unknown>): void {
    if (levelRank(level) < levelRank(this.minLevel)) return;
    const record: LogRecord = { time: new Date().toISOString(), level, subsystem, msg, ...this.context, seq: ++this.seq, ...(fields ? { fields } : {}) };
    const line = formatLogLine(record);
    for (const sink of this.sinks) sink.append(line);
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
