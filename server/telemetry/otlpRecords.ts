import { createHash } from 'node:crypto';
import {
  CATEGORY_ATTRIBUTE,
  PSEUDONYM_ATTRIBUTE,
  RECORD_UID_ATTRIBUTE,
  type ExportLogsRequest,
  type ExportMetricsRequest,
  type OtlpNumberDataPointIn,
  type OtlpValue,
} from '../../src/fleet/telemetryApi.js';
import { METRICS } from '../../src/telemetry/registry.js';
import { addDays, dayOf } from './partitions.js';

/**
 * An OTLP export turned into the rows the server stores, one per log record or metric point, each
 * checked on its own: a record the server cannot keep (no uid, no pseudonym, no time, past its
 * retention) is refused alone and counted in the answer's partial success, as OTLP says.
 */

export interface LogRow {
  day: string;
  uid: string;
  time: string;
  expires_on: string;
  pseudonym: string;
  category: string;
  event_name: string | null;
  severity: number;
  body: string;
  attributes: Record<string, unknown>;
  service_version: string | null;
}

export interface PointRow {
  day: string;
  point_id: string;
  time: string;
  expires_on: string;
  pseudonym: string;
  category: string;
  name: string;
  unit: string;
  kind: 'gauge' | 'sum';
  value: number | null;
  attributes: Record<string, unknown>;
  service_version: string | null;
}

export interface Rows<Row> {
  rows: Row[];
  rejected: number;
  /** Why records were refused, each reason once (for the answer's errorMessage). */
  reasons: string[];
}

export interface RowContext {
  now: Date;
  /** The server's retention, capping each metric's own. */
  retentionDays: number;
}

interface PlacingContext extends RowContext {
  today: string;
}

const DAY_MS = 86_400_000;
/** A record may be stamped up to a day ahead of the server (a clock a little off, a time zone bug). */
const FUTURE_SLACK_MS = DAY_MS;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PSEUDONYM = /^[A-Za-z0-9_-]{8,128}$/;

/** An OTLP AnyValue as plain JSON (int64 beyond 2^53 stays a decimal string). */
export function plainValue(value: OtlpValue | undefined): unknown {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plainValue);
  if (value.kvlistValue) return plainAttributes(value.kvlistValue.values);
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  return null;
}

export function plainAttributes(attributes: readonly { key: string; value?: OtlpValue }[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of attributes ?? []) out[key] = plainValue(value);
  return out;
}

/** The server's own attributes (uid, category, pseudonym) taken out; the rest as plain JSON. */
interface SplitAttributes {
  uid: unknown;
  category: unknown;
  pseudonym: unknown;
  rest: Record<string, unknown>;
}

function splitAttributes(attributes: readonly { key: string; value?: OtlpValue }[] | undefined): SplitAttributes {
  const split: SplitAttributes = { uid: undefined, category: undefined, pseudonym: undefined, rest: {} };
  for (const { key, value } of attributes ?? []) {
    // Not deleted afterwards: a deleted key turns the object slow for every later use.
    if (key === RECORD_UID_ATTRIBUTE) split.uid = plainValue(value);
    else if (key === CATEGORY_ATTRIBUTE) split.category = plainValue(value);
    else if (key === PSEUDONYM_ATTRIBUTE) split.pseudonym = plainValue(value);
    else split.rest[key] = plainValue(value);
  }
  return split;
}

function unixNanoToMs(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(BigInt(value) / 1_000_000n);
  return ms > 0 ? ms : undefined;
}

/** The resource's service.version, if any. */
function serviceVersion(resource: { attributes?: { key: string; value?: OtlpValue }[] } | undefined): string | null {
  const version = plainAttributes(resource?.attributes)['service.version'];
  return typeof version === 'string' ? version.slice(0, 64) : null;
}

/** The retention of a record named `name` (its metric's, else the server's), capped by the server's. */
function retentionDaysOf(name: string | null, context: RowContext): number {
  const own = name !== null && Object.hasOwn(METRICS, name) ? METRICS[name as keyof typeof METRICS].retentionDays : context.retentionDays;
  return Math.min(own, context.retentionDays);
}

function categoryOfMetric(name: string): string {
  return Object.hasOwn(METRICS, name) ? METRICS[name as keyof typeof METRICS].category : 'unknown';
}

class Refusals {
  rejected = 0;
  readonly reasons = new Set<string>();
  refuse(reason: string): void {
    this.rejected++;
    this.reasons.add(reason);
  }
}

/** Checks the record's time against now and its retention; returns its day and last day, or refuses it. */
function placeInTime(ms: number | undefined, name: string | null, context: PlacingContext, refusals: Refusals) {
  if (ms === undefined) return (refusals.refuse('a record without a time'), undefined);
  const now = context.now.getTime();
  if (ms > now + FUTURE_SLACK_MS) return (refusals.refuse('a record more than a day in the future'), undefined);
  const retention = retentionDaysOf(name, context);
  const day = dayOf(ms);
  const expiresOn = addDays(day, retention);
  if (expiresOn < dayOf(now)) return (refusals.refuse('a record past its retention'), undefined);
  return { day, expiresOn, time: new Date(ms).toISOString() };
}

function checkPseudonym(pseudonym: unknown, refusals: Refusals): string | undefined {
  if (typeof pseudonym === 'string' && PSEUDONYM.test(pseudonym)) return pseudonym;
  refusals.refuse(`a record without ${PSEUDONYM_ATTRIBUTE}`);
  return undefined;
}

export function logRows(request: ExportLogsRequest, rowContext: RowContext): Rows<LogRow> {
  const context: PlacingContext = { ...rowContext, today: dayOf(rowContext.now) };
  const refusals = new Refusals();
  const rows: LogRow[] = [];
  for (const resourceLogs of request.resourceLogs ?? []) {
    const version = serviceVersion(resourceLogs.resource);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const record of scopeLogs.logRecords ?? []) {
        const { uid, category, pseudonym: claimed, rest: attributes } = splitAttributes(record.attributes);
        if (typeof uid !== 'string' || !UUID.test(uid)) {
          refusals.refuse(`a record without a UUID in ${RECORD_UID_ATTRIBUTE}`);
          continue;
        }
        if (typeof category !== 'string' || category.length === 0 || category.length > 64) {
          refusals.refuse(`a record without ${CATEGORY_ATTRIBUTE}`);
          continue;
        }
        const pseudonym = checkPseudonym(claimed, refusals);
        if (!pseudonym) continue;
        const eventName = record.eventName ?? null;
        const placed = placeInTime(unixNanoToMs(record.timeUnixNano) ?? unixNanoToMs(record.observedTimeUnixNano), eventName, context, refusals);
        if (!placed) continue;
        const body = plainValue(record.body);
        rows.push({
          day: placed.day,
          uid: uid.toLowerCase(),
          time: placed.time,
          expires_on: placed.expiresOn,
          pseudonym,
          category,
          event_name: eventName,
          severity: record.severityNumber ?? 0,
          body: typeof body === 'string' ? body : JSON.stringify(body),
          attributes,
          service_version: version,
        });
      }
    }
  }
  return { rows, rejected: refusals.rejected, reasons: [...refusals.reasons] };
}

/** Canonical JSON (keys sorted at every level): equal attributes give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function pointValue(point: OtlpNumberDataPointIn): number | null {
  const raw = point.asDouble ?? (point.asInt !== undefined ? Number(point.asInt) : undefined);
  return typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
}

export function pointRows(request: ExportMetricsRequest, rowContext: RowContext): Rows<PointRow> {
  const context: PlacingContext = { ...rowContext, today: dayOf(rowContext.now) };
  const refusals = new Refusals();
  const rows: PointRow[] = [];
  for (const resourceMetrics of request.resourceMetrics ?? []) {
    const version = serviceVersion(resourceMetrics.resource);
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      for (const metric of scopeMetrics.metrics ?? []) {
        for (const kind of ['histogram', 'exponentialHistogram', 'summary'] as const) {
          for (let i = 0; i < (metric[kind]?.dataPoints?.length ?? 0); i++) refusals.refuse(`${kind} points (only gauges and sums are kept)`);
        }
        const series: ['gauge' | 'sum', OtlpNumberDataPointIn[]][] = [
          ['gauge', metric.gauge?.dataPoints ?? []],
          ['sum', metric.sum?.dataPoints ?? []],
        ];
        for (const [kind, points] of series) {
          for (const point of points) {
            // The id covers every attribute, the pseudonym's too: it is part of the series.
            const timeText = String(point.timeUnixNano ?? '');
            const pointId = createHash('sha256')
              .update(`${metric.name}\n${kind}\n${timeText}\n${canonical(plainAttributes(point.attributes))}`)
              .digest('hex');
            const { pseudonym: claimed, rest: attributes } = splitAttributes(point.attributes);
            const pseudonym = checkPseudonym(claimed, refusals);
            if (!pseudonym) continue;
            const placed = placeInTime(unixNanoToMs(point.timeUnixNano), metric.name, context, refusals);
            if (!placed) continue;
            rows.push({
              day: placed.day,
              point_id: pointId,
              time: placed.time,
              expires_on: placed.expiresOn,
              pseudonym,
              category: categoryOfMetric(metric.name),
              name: metric.name,
              unit: (metric.unit ?? '').slice(0, 64),
              kind,
              value: pointValue(point),
              attributes,
              service_version: version,
            });
          }
        }
      }
    }
  }
  return { rows, rejected: refusals.rejected, reasons: [...refusals.reasons] };
}

/** How many records an export holds (logs or points), before any check: bounded per request. */
export function recordCount(request: ExportLogsRequest | ExportMetricsRequest): number {
  if ('resourceLogs' in request)
    return (request.resourceLogs ?? []).reduce((n, r) => n + (r.scopeLogs ?? []).reduce((m, s) => m + (s.logRecords?.length ?? 0), 0), 0);
  const metrics = (request as ExportMetricsRequest).resourceMetrics ?? [];
  return metrics.reduce(
    (n, r) =>
      n +
      (r.scopeMetrics ?? []).reduce(
        (m, s) =>
          m +
          (s.metrics ?? []).reduce(
            (k, metric) =>
              k +
              (metric.gauge?.dataPoints?.length ?? 0) +
              (metric.sum?.dataPoints?.length ?? 0) +
              (metric.histogram?.dataPoints?.length ?? 0) +
              (metric.exponentialHistogram?.dataPoints?.length ?? 0) +
              (metric.summary?.dataPoints?.length ?? 0),
            0,
          ),
        0,
      ),
    0,
  );
}
