import { SEVERITY, isoToUnixNano, toAnyValue } from '../../../src/telemetry/otlpEncode.js';
import type { OtlpLogRecord } from '../../../src/telemetry/otlpJson.js';
import { METRICS } from '../../../src/telemetry/registry.js';
import type { CrashRecord } from '../logging/CrashRecorder.js';
import type { CurrentConsent } from './CurrentConsent.js';
import { DAY_MS, retentionOf, type MetricRecorder } from './MetricRecorder.js';
import type { OutgoingScrubber } from './OutgoingScrubber.js';

/** Crash records as the telemetry service reads them (CrashRecorder). */
export interface CrashSource {
  pending(): Promise<string[]>;
  read(id: string): Promise<CrashRecord>;
  markForwarded(id: string): void;
}

const CRASH_RETENTION_MS = METRICS['crash.record'].retentionDays * DAY_MS;
const RECENT_LINES_FORWARDED = 50;

/** The processes' crash records, each forwarded once (critical, scrubbed) when `errors` is granted. */
export class CrashForwarding {
  constructor(
    private readonly crashes: CrashSource,
    private readonly recorder: MetricRecorder,
    private readonly consent: CurrentConsent,
    private readonly scrubber: OutgoingScrubber,
    private readonly now: () => Date,
  ) {}

  /** Hands the pending crash records to the outbox; returns how many. */
  async forwardPending(): Promise<number> {
    const crashes = this.crashes;
    if (!this.consent.isGranted('errors')) return 0;
    let forwarded = 0;
    for (const id of await crashes.pending()) {
      const crash = await crashes.read(id).catch(() => undefined);
      if (!crash) continue;
      const age = this.now().getTime() - Date.parse(crash.time);
      // Past its retention a crash is not sent: marked as handled so it is never retried.
      if (age <= CRASH_RETENTION_MS) {
        const record: OtlpLogRecord = {
          timeUnixNano: isoToUnixNano(crash.time),
          severityNumber: SEVERITY.fatal.number,
          severityText: SEVERITY.fatal.text,
          body: { stringValue: this.scrubber.text(`${crash.error.name}: ${crash.error.message}`) },
          eventName: 'crash.record',
          attributes: [
            { key: 'process', value: { stringValue: crash.process } },
            { key: 'headset.app.version', value: { stringValue: crash.version } },
            { key: 'exception.stacktrace', value: { stringValue: this.scrubber.text(crash.error.stack ?? '') } },
            { key: 'headset.crash.recent_lines', value: toAnyValue(this.scrubber.value(crash.recentLines.slice(-RECENT_LINES_FORWARDED))) },
            this.recorder.pseudonym(),
          ],
        };
        if (!(await this.recorder.enqueue('errors', 'critical', { signal: 'logs', record }, retentionOf('crash.record', new Date(crash.time)))))
          break;
        await this.recorder.record('errors.crash_count', 1, { process: crash.process }, new Date(crash.time));
        forwarded++;
      }
      crashes.markForwarded(id);
    }
    return forwarded;
  }
}
