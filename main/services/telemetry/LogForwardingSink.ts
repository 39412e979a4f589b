import type { LogRecord } from '../../../src/logging/logRecord.js';
import type { LogSink } from '../logging/Logger.js';

/** What the sink hands entries to (TelemetryService.forwardLog). */
export interface LogForwarder {
  forwardLog(record: LogRecord): void;
}

const FORWARDED_LEVEL = /"level":"(?:warn|error|fatal)"/;

/**
 * A sink of the process logger that hands warn, error and fatal entries to telemetry (which
 * decides on consent and scrubs them). Debug and info lines are skipped before they are parsed;
 * telemetry's own entries are never forwarded.
 */
export class LogForwardingSink implements LogSink {
  /** The logger exists before telemetry: entries before `attach` are not forwarded. */
  constructor(private forwarder?: LogForwarder) {}

  attach(forwarder: LogForwarder): void {
    this.forwarder = forwarder;
  }

  /** Entries from here on stay local (shutdown: telemetry's outbox is about to close). */
  detach(): void {
    this.forwarder = undefined;
  }

  append(line: string): void {
    if (!this.forwarder || !FORWARDED_LEVEL.test(line.slice(0, 120))) return;
    let record: LogRecord;
    try {
      record = JSON.parse(line) as LogRecord;
    } catch {
      return;
    }
    // Telemetry's own problems stay local: forwarding them would feed the outbox that failed.
    if (record.subsystem === 'telemetry') return;
    this.forwarder.forwardLog(record);
  }
}
