import type { OtlpKeyValue } from '../../../src/telemetry/otlpJson.js';
import type { OutboxPayload } from './ports.js';

/** The attribute every record carries instead of the device id (see DeviceIdHasher). */
export const PSEUDONYM_KEY = 'headset.device.pseudonym';

/**
 * The pseudonym a queued record was recorded under (the period whose key must sign it), or
 * undefined for a record that carries none.
 */
export function pseudonymOf(payload: OutboxPayload): string | undefined {
  const attributes: readonly OtlpKeyValue[] =
    payload.signal === 'logs' ? (payload.record.attributes ?? []) : ((payload.metric.gauge ?? payload.metric.sum)?.dataPoints[0]?.attributes ?? []);
  const value = attributes.find((attribute) => attribute.key === PSEUDONYM_KEY)?.value;
  return value && 'stringValue' in value ? value.stringValue : undefined;
}
