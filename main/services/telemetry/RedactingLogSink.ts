import { formatLogLine, type LogRecord } from '../../../src/logging/logRecord.js';
import { redactSecretsIn } from '../../../src/secrets/redactSecretsIn.js';
import type { SecretRedactor } from '../../../src/secrets/SecretRegistry.js';
import { mayNeedRedaction, redactFields, redactText } from '../../../src/telemetry/anonymize.js';
import { markSinks, settleSinks, type LogMark, type LogSink, type SettleOptions, type SettleReport } from '../logging/Logger.js';

/**
 * Keeps secrets, e-mail addresses and precise positions out of the device's own log files (and
 * the recent lines a crash record carries, and the entries forwarded to telemetry): a line that
 * may hold one is parsed, redacted and written again; the rest (nearly all) pass through untouched
 * after one regular-expression test and one search for the registered secrets' values.
 */
export class RedactingLogSink implements LogSink {
  redacted = 0;

  constructor(
    private readonly sinks: readonly LogSink[],
    /** The secrets the headset holds (SecretRegistry): cut out by value, whatever the words around them. */
    private readonly secrets?: SecretRedactor,
  ) {}

  append(line: string): void {
    const out = mayHoldSecret(line, this.secrets) ? this.redact(line) : line;
    for (const sink of this.sinks) sink.append(out);
  }

  // One line in, one line out to each sink: waiting for lines written is the wrapped sinks' to answer.
  mark(): LogMark {
    return markSinks(this.sinks);
  }

  settle(since: LogMark, options?: SettleOptions): Promise<SettleReport> {
    return settleSinks(this.sinks, since, options);
  }

  private redact(line: string): string {
    let record: LogRecord;
    try {
      record = JSON.parse(line) as LogRecord;
    } catch {
      return redactText(this.secrets ? this.secrets.redact(line) : line);
    }
    // Values first, on the decoded strings (an escape never splits a match), then the patterns.
    const msg = this.secrets ? this.secrets.redact(record.msg) : record.msg;
    const fields = record.fields && this.secrets ? (redactSecretsIn(record.fields, this.secrets) as Record<string, unknown>) : record.fields;
    const clean: LogRecord = { ...record, msg: redactText(msg), ...(fields ? { fields: redactFields(fields) } : {}) };
    const out = formatLogLine(clean);
    if (out !== line) this.redacted++;
    return out;
  }
}

/**
 * Only the message and the fields of an entry can carry a secret: time, level, subsystem, build and
 * boot id are ours. JSON escapes quotes inside strings, so the keys found here are the record's own.
 * Scanning just those parts halves the cost of the check on every line. The registered values are
 * looked for in the same two parts, in the forms they take inside a JSON line (escaped too): a
 * JSON string holds its escaped text whole, so a value in the message or the fields is inside them.
 */
function mayHoldSecret(line: string, secrets: SecretRedactor | undefined): boolean {
  const msgAt = line.indexOf('"msg":');
  const versionAt = msgAt < 0 ? -1 : line.indexOf(',"version":', msgAt);
  if (versionAt < 0) return mayNeedRedaction(line) || secrets?.holds(line) === true;
  const msg = line.slice(msgAt + 6, versionAt);
  if (mayNeedRedaction(msg) || secrets?.holds(msg)) return true;
  const fieldsAt = line.indexOf(',"fields":', versionAt);
  if (fieldsAt < 0) return false;
  const fields = line.slice(fieldsAt + 10);
  return mayNeedRedaction(fields) || secrets?.holds(fields) === true;
}
