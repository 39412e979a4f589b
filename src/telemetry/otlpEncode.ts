import type { LogLevel, LogRecord } from '../logging/logRecord.js';
import type { OtlpAnyValue, OtlpKeyValue, OtlpLogRecord, OtlpMetric } from './otlpJson.js';

/**
 * Request bodies of OTLP/HTTP JSON (opentelemetry-proto v1, JSON mapping: lowerCamelCase keys,
 * enums as integers, 64-bit integers as decimal strings), and our log entry as an OTLP log record.
 */

export interface OtlpResourceInfo {
  serviceName: string;
  serviceVersion: string;
  /** The device id as telemetry may carry it (anonymized by the caller), or null for none. */
  deviceId: string | null;
}

/** One queued record as the encoder sees it: the outbox's id and category, and the payload. */
export interface EncodableLog {
  uid: string;
  category: string;
  record: OtlpLogRecord;
}

export interface EncodableMetric {
  uid: string;
  category: string;
  metric: OtlpMetric;
}

export const SCOPE = { name: 'headset-control' } as const;
/** OpenTelemetry semantic convention for a record's unique id; receivers de-duplicate on it. */
export const RECORD_UID_KEY = 'log.record.uid';
export const CATEGORY_KEY = 'headset.telemetry.category';

export function stringAttribute(key: string, value: string): OtlpKeyValue {
  return { key, value: { stringValue: value } };
}

function resourceAttributes(resource: OtlpResourceInfo): OtlpKeyValue[] {
  const attributes = [stringAttribute('service.name', resource.serviceName), stringAttribute('service.version', resource.serviceVersion)];
  if (resource.deviceId !== null) attributes.push(stringAttribute('device.id', resource.deviceId));
  return attributes;
}

export interface ExportLogsServiceRequest {
  resourceLogs: {
    resource: { attributes: OtlpKeyValue[] };
    scopeLogs: { scope: { name: string; version: string }; logRecords: OtlpLogRecord[] }[];
  }[];
}

export interface ExportMetricsServiceRequest {
  resourceMetrics: {
    resource: { attributes: OtlpKeyValue[] };
    scopeMetrics: { scope: { name: string; version: string }; metrics: OtlpMetric[] }[];
  }[];
}

export function encodeLogsRequest(resource: OtlpResourceInfo, logs: readonly EncodableLog[]): ExportLogsServiceRequest {
  return {
    resourceLogs: [
      {
        resource: { attributes: resourceAttributes(resource) },
        scopeLogs: [
          {
            scope: { name: SCOPE.name, version: resource.serviceVersion },
            logRecords: logs.map(({ uid, category, record }) => ({
              ...record,
              attributes: [
                ...record.attributes.filter((a) => a.key !== RECORD_UID_KEY && a.key !== CATEGORY_KEY),
                stringAttribute(RECORD_UID_KEY, uid),
                stringAttribute(CATEGORY_KEY, category),
              ],
            })),
          },
        ],
      },
    ],
  };
}

/**
 * Metric points carry no unique id: one per point would make every point its own time series at
 * the receiver. A resent point has the same name, attributes and time, so it de-duplicates as is.
 */
export function encodeMetricsRequest(resource: OtlpResourceInfo, metrics: readonly EncodableMetric[]): ExportMetricsServiceRequest {
  return {
    resourceMetrics: [
      {
        resource: { attributes: resourceAttributes(resource) },
        scopeMetrics: [{ scope: { name: SCOPE.name, version: resource.serviceVersion }, metrics: metrics.map((m) => m.metric) }],
      },
    ],
  };
}

/** The response body of an export: absent or `{}` is full success. */
export interface ExportPartialSuccess {
  rejected: number;
  errorMessage?: string;
}

/**
 * Reads an ExportLogsServiceResponse / ExportMetricsServiceResponse. Returns undefined when the
 * body is not one (the caller cannot tell what was accepted).
 */
export function parseExportResponse(body: string, signal: 'logs' | 'metrics'): ExportPartialSuccess | undefined {
  if (body.trim() === '') return { rejected: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const partial = (parsed as { partialSuccess?: unknown }).partialSuccess;
  if (partial === undefined || partial === null) return { rejected: 0 };
  if (typeof partial !== 'object') return undefined;
  const key = signal === 'logs' ? 'rejectedLogRecords' : 'rejectedDataPoints';
  const raw = (partial as Record<string, unknown>)[key];
  const rejected = raw === undefined ? 0 : typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(rejected) || rejected < 0) return undefined;
  const message = (partial as Record<string, unknown>).errorMessage;
  return { rejected, ...(typeof message === 'string' && message !== '' ? { errorMessage: message } : {}) };
}

// ---- our log entries as OTLP log records --------------------------------------------------

export const SEVERITY: Record<LogLevel, { number: number; text: string }> = {
  debug: { number: 5, text: 'DEBUG' },
  info: { number: 9, text: 'INFO' },
  warn: { number: 13, text: 'WARN' },
  error: { number: 17, text: 'ERROR' },
  fatal: { number: 21, text: 'FATAL' },
};

/** An ISO time as nanoseconds since the epoch, in decimal (int64 in JSON is a string). */
export function isoToUnixNano(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${iso}`);
  return (BigInt(ms) * 1_000_000n).toString();
}

/** Any JSON-like value as an OTLP AnyValue; integers that fit int64 become intValue. */
export function toAnyValue(value: unknown, depth = 0): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'bigint') return { intValue: value.toString() };
  if (typeof value === 'number') {
    return Number.isSafeInteger(value)
      ? { intValue: String(value) }
      : Number.isFinite(value)
        ? { doubleValue: value }
        : { stringValue: String(value) };
  }
  if (depth < 8 && Array.isArray(value)) return { arrayValue: { values: value.map((item) => toAnyValue(item, depth + 1)) } };
  if (depth < 8 && typeof value === 'object' && value !== null) {
    return { kvlistValue: { values: Object.entries(value).map(([key, item]) => ({ key, value: toAnyValue(item, depth + 1) })) } };
  }
  return { stringValue: value === null || value === undefined ? '' : String(value) };
}

/** A log entry of ours (src/logging/logRecord.ts) as an OTLP log record. */
export function logRecordToOtlp(record: LogRecord): OtlpLogRecord {
  const severity = SEVERITY[record.level];
  const attributes: OtlpKeyValue[] = [
    stringAttribute('headset.subsystem', record.subsystem),
    stringAttribute('headset.app.version', record.version),
    stringAttribute('headset.app.commit', record.commit),
    stringAttribute('headset.boot.id', record.bootId),
    { key: 'headset.log.seq', value: { intValue: String(record.seq) } },
  ];
  for (const [key, value] of Object.entries(record.fields ?? {})) attributes.push({ key: `headset.field.${key}`, value: toAnyValue(value) });
  return {
    timeUnixNano: isoToUnixNano(record.time),
    severityNumber: severity.number,
    severityText: severity.text,
    body: { stringValue: record.msg },
    attributes,
  };
}
