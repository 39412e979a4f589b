import type { LogRecord } from '../../../src/logging/logRecord.js';
import { logRecordToOtlp } from '../../../src/telemetry/otlpEncode.js';
import type { OtlpLogRecord } from '../../../src/telemetry/otlpJson.js';
import type { CurrentConsent } from './CurrentConsent.js';
import type { LogForwarder } from './LogForwardingSink.js';
import { retentionOf, type MetricRecorder } from './MetricRecorder.js';
import type { OutgoingScrubber } from './OutgoingScrubber.js';

type ForwardedLevel = 'warn' | 'error' | 'fatal';

/**
 * The log entries of every process that telemetry forwards, under `errors`: warn, error and fatal
 * are counted per subsystem (errors.count, reported with each health sample) and forwarded
 * scrubbed, fatal as critical. Debug and info never leave the device.
 */
export class ErrorLogForwarder implements LogForwarder {
  /** warn/error/fatal counts per subsystem since the last report (errors.count). */
  private readonly counts = new Map<string, { subsystem: string; level: ForwardedLevel; count: number }>();

  constructor(
    private readonly consent: CurrentConsent,
    private readonly recorder: MetricRecorder,
    private readonly scrubber: OutgoingScrubber,
  ) {}

  forwardLog(record: LogRecord): void {
    if (record.level !== 'warn' && record.level !== 'error' && record.level !== 'fatal') return;
    if (!this.consent.isGranted('errors')) return;
    const key = `${record.subsystem}\n${record.level}`;
    const counted = this.counts.get(key) ?? { subsystem: record.subsystem, level: record.level, count: 0 };
    counted.count++;
    this.counts.set(key, counted);
    const scrubbed: LogRecord = {
      ...record,
      msg: this.scrubber.text(record.msg),
      ...(record.fields ? { fields: this.scrubber.fields(record.fields) } : {}),
    };
    const otlp: OtlpLogRecord = logRecordToOtlp(scrubbed);
    otlp.eventName = 'log.record';
    otlp.attributes.push(this.recorder.pseudonym());
    void this.recorder.enqueue(
      'errors',
      record.level === 'fatal' ? 'critical' : 'normal',
      { signal: 'logs', record: otlp },
      retentionOf('log.record', new Date(record.time)),
    );
  }

  /** Records the counts gathered since the last report, and starts counting afresh. */
  async reportCounts(): Promise<void> {
    const counts = [...this.counts.values()];
    this.counts.clear();
    for (const { subsystem, level, count } of counts) await this.recorder.record('errors.count', count, { subsystem, level });
  }

  /** `errors` withdrawn: what was counted under it is not reported. */
  forgetCounts(): void {
    this.counts.clear();
  }
}
