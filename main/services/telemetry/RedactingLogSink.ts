import { formatLogLine, type LogRecord } from '../../../src/logging/logRecord.js';
import { mayNeedRedaction, redactFields, redactText } from '../../../src/telemetry/anonymize.js';
import type { LogSink } from '../logging/Logger.js';

/**
 * Keeps secrets, e-mail addresses and precise positions out of the device's own log files (and
 * the recent lines a crash record carries): a line that may hold one is parsed, redacted and
 * written again; the rest (nearly all) pass through untouched after one regular-expression test.
 */
export class RedactingLogSink implements LogSink {
  redacted = 0;

  constructor(private readonly sinks: readonly LogSink[]) {}

  append(line: string): void {
    const out = mayNeedRedaction(line) ? this.redact(line) : line;
    for (const sink of this.sinks) sink.append(out);
  }

  private redact(line: string): string {
    let record: LogRecord;
    try {
      record = JSON.parse(line) as LogRecord;
    } catch {
      return redactText(line);
    }
    const clean: LogRecord = { ...record, msg: redactText(record.msg), ...(record.fields ? { fields: redactFields(record.fields) } : {}) };
    const out = formatLogLine(clean);
    if (out !== line) this.redacted++;
    return out;
  }
}
