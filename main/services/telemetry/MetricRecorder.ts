import { bucketToHour, scrubFields } from '../../../src/telemetry/anonymize.js';
import type { TelemetryCategoryId } from '../../../src/telemetry/categories.js';
import { isoToUnixNano, SEVERITY, toAnyValue } from '../../../src/telemetry/otlpEncode.js';
import type { OtlpKeyValue } from '../../../src/telemetry/otlpJson.js';
import { checkRecording, isExpired, METRICS, type MetricAttributes, type MetricName, type MetricValue } from '../../../src/telemetry/registry.js';
import type { CurrentConsent } from './CurrentConsent.js';
import type { DeviceIdHasher } from './DeviceIdHasher.js';
import type { OutboxPayload, OutboxPriority, TelemetryOutbox } from './ports.js';

import { PSEUDONYM_KEY } from './recordPseudonym.js';

export { PSEUDONYM_KEY };
export const DAY_MS = 86_400_000;

const PRIORITY: Record<TelemetryCategoryId, OutboxPriority> = {
  essential: 'normal',
  performance: 'bulk',
  hardware: 'bulk',
  usage: 'bulk',
  errors: 'normal',
  location: 'bulk',
};

export interface MetricRecorderOptions {
  outbox: TelemetryOutbox;
  consent: CurrentConsent;
  hasher: DeviceIdHasher;
  appVersion: string;
  now: () => Date;
  /** Problems of the telemetry itself; never routed back into the forwarded log. */
  warn?: (msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * Turns the registry's metrics into outbox records: only for granted categories, attributes
 * scrubbed, the pseudonym in place of the device id, and the registry's retention as expiry.
 */
export class MetricRecorder {
  /** Records the outbox refused (a full disk): counted, never logged through the forwarded log. */
  enqueueFailures = 0;

  constructor(private readonly options: MetricRecorderOptions) {}

  /**
   * Records a declared metric. An undeclared name or a value outside its schema throws (a bug);
   * a category not granted, or an expired metric, records nothing and returns false.
   */
  async record<N extends MetricName>(
    name: N,
    value: MetricValue<N>,
    attributes: MetricAttributes<N>,
    at: Date = this.options.now(),
  ): Promise<boolean> {
    const checked = checkRecording(name, value, attributes);
    const category = checked.definition.category;
    if (!this.options.consent.isGranted(category) || isExpired(checked.definition, this.options.appVersion, at)) return false;
    // Usage and location say when to the hour, no closer.
    const time = category === 'usage' || category === 'location' ? bucketToHour(at) : at;
    const timeUnixNano = isoToUnixNano(time.toISOString());
    const attrs: OtlpKeyValue[] = [
      ...Object.entries(scrubFields(checked.attributes)).map(([key, v]) => ({ key, value: toAnyValue(v) })),
      this.pseudonym(),
    ];
    let payload: OutboxPayload;
    if (checked.definition.kind === 'event') {
      payload = {
        signal: 'logs',
        record: {
          timeUnixNano,
          severityNumber: SEVERITY.info.number,
          severityText: SEVERITY.info.text,
          body: { stringValue: name },
          attributes: attrs,
          eventName: name,
        },
      };
    } else {
      const point = {
        attributes: attrs,
        timeUnixNano,
        ...(Number.isInteger(checked.value) && checked.definition.kind === 'counter'
          ? { asInt: String(checked.value) }
          : { asDouble: checked.value ?? 0 }),
      };
      const base = { name, description: checked.definition.description, unit: checked.definition.unit };
      payload =
        checked.definition.kind === 'gauge'
          ? { signal: 'metrics', metric: { ...base, gauge: { dataPoints: [point] } } }
          : { signal: 'metrics', metric: { ...base, sum: { dataPoints: [point], aggregationTemporality: 1, isMonotonic: true } } };
    }
    return this.enqueue(category, PRIORITY[category], payload, retentionOf(name, at));
  }

  /** Hands a finished record to the outbox; false (counted, warned about sparingly) if it refused. */
  async enqueue(category: TelemetryCategoryId, priority: OutboxPriority, payload: OutboxPayload, options?: { expiresAt: Date }): Promise<boolean> {
    try {
      await this.options.outbox.enqueue(category, priority, payload, options);
      return true;
    } catch (error) {
      this.enqueueFailures++;
      if (this.enqueueFailures === 1 || this.enqueueFailures % 100 === 0)
        this.options.warn?.('telemetry: the outbox refused a record', { failures: this.enqueueFailures, error: String(error) });
      return false;
    }
  }

  pseudonym(): OtlpKeyValue {
    return { key: PSEUDONYM_KEY, value: { stringValue: this.options.hasher.current() } };
  }
}

/** The end of a record's retention (the registry's), counted from when it happened. */
export function retentionOf(name: MetricName, at: Date): { expiresAt: Date } | undefined {
  const from = at.getTime();
  // An unreadable time (a log line of another process) leaves the record to the outbox's bound.
  return Number.isFinite(from) ? { expiresAt: new Date(from + METRICS[name].retentionDays * DAY_MS) } : undefined;
}
