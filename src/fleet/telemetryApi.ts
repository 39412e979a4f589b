import { z } from 'zod';

/**
 * Telemetry at the fleet server: what headsets send (OTLP/HTTP JSON, `docs/telemetry-forwarding.md`)
 * and what operators read of it. The request schemas take the OTLP JSON mapping (lowerCamelCase
 * keys, enums as integers, 64-bit integers as decimal strings or numbers) for the signals the
 * headset sends: log records, and gauge and sum metrics. Unknown keys (trace ids, dropped counts)
 * are allowed and ignored, as an OTLP receiver does.
 */

export const TELEMETRY_API = {
  logs: '/v1/logs',
  metrics: '/v1/metrics',
  days: '/api/v1/telemetry/days',
  crashes: '/api/v1/telemetry/crashes',
  deletions: '/api/v1/telemetry/deletions',
} as const;

/** The request signature's headers (lower case, as Node presents them): the week's telemetry key, never the identity key. */
export const TELEMETRY_SIGNATURE_HEADERS = {
  key: 'x-headset-device',
  date: 'x-headset-date',
  signature: 'x-headset-signature',
} as const;

/** How far a request's signing date may be from the server's clock, either way. */
export const TELEMETRY_DATE_WINDOW_MS = 5 * 60_000;

/** What the signature covers: `POST\n<path>\n<date>\n<hex sha256 of the body as sent>`. */
export function telemetrySignedText(method: string, path: string, date: string, bodySha256Hex: string): string {
  return `${method.toUpperCase()}\n${path}\n${date}\n${bodySha256Hex}`;
}

/** The attributes the server reads (docs/telemetry-forwarding.md). */
export const RECORD_UID_ATTRIBUTE = 'log.record.uid';
export const CATEGORY_ATTRIBUTE = 'headset.telemetry.category';
export const PSEUDONYM_ATTRIBUTE = 'headset.device.pseudonym';
export const CRASH_EVENT = 'crash.record';
export const DELETION_REQUEST_EVENT = 'telemetry.deletion_request';

/** Bodies are at most 4 MiB before compression (the headset's limit), 512 records per request. */
export const TELEMETRY_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const TELEMETRY_MAX_RECORDS = 512;
/** Nesting of attribute values (kvlists in arrays in kvlists…) a body may have. */
export const OTLP_MAX_DEPTH = 32;

const unixNano = z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()]);
const int64 = z.union([z.string().regex(/^-?\d{1,20}$/), z.number().int()]);

export interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  bytesValue?: string;
  arrayValue?: { values?: OtlpValue[] };
  kvlistValue?: { values?: { key: string; value?: OtlpValue }[] };
}

// One object with every field optional rather than a union of shapes: as the protobuf JSON mapping
// reads it (a oneof is one of the fields present), and several times faster to check than a union.
const anyValueSchema: z.ZodType<OtlpValue> = z.object({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: int64.optional(),
  // The JSON mapping writes NaN and the infinities as strings.
  doubleValue: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).optional(),
  bytesValue: z.string().optional(),
  get arrayValue() {
    return z.object({ values: z.array(anyValueSchema).max(1024).optional() }).optional();
  },
  get kvlistValue() {
    return z.object({ values: z.array(keyValueSchema).max(1024).optional() }).optional();
  },
});
const keyValueSchema = z.object({ key: z.string().max(256), value: anyValueSchema.optional() });
const attributesSchema = z.array(keyValueSchema).max(256).optional();
const resourceSchema = z.object({ attributes: attributesSchema }).optional();
const scopeSchema = z.object({ name: z.string().optional(), version: z.string().optional() }).optional();

export const otlpLogRecordSchema = z.object({
  timeUnixNano: unixNano.optional(),
  observedTimeUnixNano: unixNano.optional(),
  severityNumber: z.number().int().min(0).max(24).optional(),
  severityText: z.string().max(64).optional(),
  body: anyValueSchema.optional(),
  attributes: attributesSchema,
  eventName: z.string().max(256).optional(),
});
export type OtlpLogRecordIn = z.infer<typeof otlpLogRecordSchema>;

export const exportLogsRequestSchema = z.object({
  resourceLogs: z
    .array(
      z.object({
        resource: resourceSchema,
        scopeLogs: z.array(z.object({ scope: scopeSchema, logRecords: z.array(otlpLogRecordSchema).optional() })).optional(),
      }),
    )
    .optional(),
});
export type ExportLogsRequest = z.infer<typeof exportLogsRequestSchema>;

const numberDataPointSchema = z.object({
  attributes: attributesSchema,
  startTimeUnixNano: unixNano.optional(),
  timeUnixNano: unixNano.optional(),
  asDouble: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).optional(),
  asInt: int64.optional(),
});
export type OtlpNumberDataPointIn = z.infer<typeof numberDataPointSchema>;

export const otlpMetricSchema = z.object({
  name: z.string().min(1).max(256),
  description: z.string().max(1024).optional(),
  unit: z.string().max(64).optional(),
  gauge: z.object({ dataPoints: z.array(numberDataPointSchema).optional() }).optional(),
  sum: z
    .object({
      dataPoints: z.array(numberDataPointSchema).optional(),
      aggregationTemporality: z.number().int().min(0).max(2).optional(),
      isMonotonic: z.boolean().optional(),
    })
    .optional(),
  // Other kinds are well-formed OTLP the headset never sends: their points are refused as partial success.
  histogram: z.object({ dataPoints: z.array(z.unknown()).optional() }).optional(),
  exponentialHistogram: z.object({ dataPoints: z.array(z.unknown()).optional() }).optional(),
  summary: z.object({ dataPoints: z.array(z.unknown()).optional() }).optional(),
});
export type OtlpMetricIn = z.infer<typeof otlpMetricSchema>;

export const exportMetricsRequestSchema = z.object({
  resourceMetrics: z
    .array(
      z.object({
        resource: resourceSchema,
        scopeMetrics: z.array(z.object({ scope: scopeSchema, metrics: z.array(otlpMetricSchema).optional() })).optional(),
      }),
    )
    .optional(),
});
export type ExportMetricsRequest = z.infer<typeof exportMetricsRequestSchema>;

/** ExportLogsServiceResponse / ExportMetricsServiceResponse: `{}` when everything was taken. */
export const exportResponseSchema = z.object({
  partialSuccess: z
    .object({
      rejectedLogRecords: z.string().optional(),
      rejectedDataPoints: z.string().optional(),
      errorMessage: z.string().optional(),
    })
    .optional(),
});
export type ExportResponse = z.infer<typeof exportResponseSchema>;

// ---- what operators read ----------------------------------------------------------------------

export const telemetryDaySchema = z.object({
  /** YYYY-MM-DD (UTC), the day the records happened on. */
  day: z.string(),
  logRecords: z.number().int(),
  metricPoints: z.number().int(),
  crashes: z.number().int(),
});
export type TelemetryDay = z.infer<typeof telemetryDaySchema>;
export const telemetryDaysSchema = z.object({ days: z.array(telemetryDaySchema), retentionDays: z.number().int() });
export type TelemetryDays = z.infer<typeof telemetryDaysSchema>;

export const daysQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(400).default(30) }).strict();

export const crashRecordSchema = z.object({
  uid: z.string(),
  time: z.string(),
  receivedAt: z.string(),
  pseudonym: z.string(),
  process: z.string().nullable(),
  version: z.string().nullable(),
  message: z.string(),
  stacktrace: z.string().nullable(),
});
export type CrashRecordSummary = z.infer<typeof crashRecordSchema>;
export const crashListSchema = z.object({ crashes: z.array(crashRecordSchema), nextBefore: z.string().nullable() });
export type CrashList = z.infer<typeof crashListSchema>;

export const crashesQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** An ISO time: crashes before it (the previous page's `nextBefore`). */
    before: z.iso.datetime().optional(),
  })
  .strict();

export const deletionEntrySchema = z.object({
  at: z.string(),
  pseudonym: z.string(),
  category: z.string(),
  /** False when the request's signing key is not the one the pseudonym was first seen with. */
  applied: z.boolean(),
  logRecordsDeleted: z.number().int(),
  metricPointsDeleted: z.number().int(),
});
export type DeletionEntry = z.infer<typeof deletionEntrySchema>;
export const deletionListSchema = z.object({ deletions: z.array(deletionEntrySchema) });
export type DeletionList = z.infer<typeof deletionListSchema>;
