/**
 * The OTLP/HTTP JSON shapes we send (opentelemetry-proto v1, JSON mapping): lowerCamelCase keys,
 * enums as integers, 64-bit integers as decimal strings. Only the parts the headset uses.
 */
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } };

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** SeverityNumber: DEBUG=5, INFO=9, WARN=13, ERROR=17, FATAL=21. */
export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano?: string;
  severityNumber: number;
  severityText: string;
  body: OtlpAnyValue;
  attributes: OtlpKeyValue[];
  /** OTLP 1.x: the name of an event record (telemetry events, deletion requests). */
  eventName?: string;
}

export interface OtlpNumberDataPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano: string;
  asDouble?: number;
  asInt?: string;
}

export interface OtlpMetric {
  name: string;
  description: string;
  unit: string;
  gauge?: { dataPoints: OtlpNumberDataPoint[] };
  /** aggregationTemporality: 1 = DELTA, 2 = CUMULATIVE. */
  sum?: { dataPoints: OtlpNumberDataPoint[]; aggregationTemporality: 1 | 2; isMonotonic: boolean };
}
