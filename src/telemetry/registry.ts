import { z } from 'zod';
import type { TelemetryCategoryId } from './categories.js';

/**
 * The telemetry registry (Glean's model): every metric and event the headset may send, declared
 * once with its category, schema, owner, retention and expiry. Nothing else can be recorded:
 * `checkRecording` refuses undeclared names and values outside the schema, and the typed API makes
 * a wrong name or value a compile error. docs/privacy.md lists every entry (a test keeps both equal).
 */

export type MetricKind = 'gauge' | 'counter' | 'event';

export interface MetricDefinition<V extends z.ZodType = z.ZodType, A extends z.ZodType = z.ZodType> {
  category: TelemetryCategoryId;
  kind: MetricKind;
  /** UCUM unit as OTLP expects it ('1' for a ratio or a count, '%', 's', 'Cel'). */
  unit: string;
  /** The recorded number (gauges and counters) or `null` (events carry only attributes). */
  value: V;
  /** The attributes; strict objects, so nothing undeclared rides along. */
  attributes: A;
  description: string;
  owner: string;
  /** Days the device keeps it queued and the receiver keeps it. */
  retentionDays: number;
  /** After this app version or date (YYYY-MM-DD) the metric records nothing until renewed. */
  expires: { version: string } | { date: string } | 'never';
}

const define = <V extends z.ZodType, A extends z.ZodType>(definition: MetricDefinition<V, A>) => definition;
const noAttributes = z.object({}).strict();
const version = z
  .string()
  .regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/)
  .max(64);
const identifier = z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/);
const OWNER_PLATFORM = 'platform-team@headset.example';
const OWNER_UPDATES = 'updates-team@headset.example';
const OWNER_UX = 'ux-team@headset.example';

export const METRICS = {
  // ---- essential: safe updates only
  'system.installed_version': define({
    category: 'essential',
    kind: 'event',
    unit: '1',
    value: z.null(),
    attributes: z.object({ version, slot: z.enum(['A', 'B']) }).strict(),
    description: 'The system version running after a boot, and its slot.',
    owner: OWNER_UPDATES,
    retentionDays: 395,
    expires: 'never',
  }),
  'update.outcome': define({
    category: 'essential',
    kind: 'event',
    unit: '1',
    value: z.null(),
    attributes: z.object({ version, from_version: version, outcome: z.enum(['committed', 'rolled-back', 'failed', 'manual-rollback']) }).strict(),
    description: 'How an update ended: committed, rolled back after a failed trial, failed, or rolled back by hand.',
    owner: OWNER_UPDATES,
    retentionDays: 395,
    expires: 'never',
  }),
  'update.rollbacks': define({
    category: 'essential',
    kind: 'counter',
    unit: '1',
    value: z.number().int().min(1).max(100),
    attributes: z.object({ from_version: version, to_version: version, trigger: z.enum(['automatic', 'manual']) }).strict(),
    description: 'Rollbacks to the previous system, automatic (a trial that did not commit) or chosen by the wearer.',
    owner: OWNER_UPDATES,
    retentionDays: 395,
    expires: 'never',
  }),
  // ---- performance
  'system.cpu_load': define({
    category: 'performance',
    kind: 'gauge',
    unit: '%',
    value: z.number().min(0).max(100),
    attributes: noAttributes,
    description: 'Processor load over the last health interval.',
    owner: OWNER_PLATFORM,
    retentionDays: 90,
    expires: { date: '2027-12-31' },
  }),
  'system.memory_used': define({
    category: 'performance',
    kind: 'gauge',
    unit: '1',
    value: z.number().min(0).max(1),
    attributes: noAttributes,
    description: 'Share of the memory in use (0 to 1).',
    owner: OWNER_PLATFORM,
    retentionDays: 90,
    expires: { date: '2027-12-31' },
  }),
  'system.disk_used': define({
    category: 'performance',
    kind: 'gauge',
    unit: '1',
    value: z.number().min(0).max(1),
    attributes: noAttributes,
    description: 'Share of the data partition in use (0 to 1).',
    owner: OWNER_PLATFORM,
    retentionDays: 90,
    expires: { date: '2027-12-31' },
  }),
  // ---- hardware
  'hardware.temperature': define({
    category: 'hardware',
    kind: 'gauge',
    unit: 'Cel',
    value: z.number().min(-40).max(150),
    attributes: noAttributes,
    description: 'Temperature of the main board.',
    owner: OWNER_PLATFORM,
    retentionDays: 90,
    expires: { date: '2027-12-31' },
  }),
  'hardware.battery_charge': define({
    category: 'hardware',
    kind: 'gauge',
    unit: '%',
    value: z.number().min(0).max(100),
    attributes: z.object({ charging: z.boolean() }).strict(),
    description: 'Battery charge, and whether it is charging.',
    owner: OWNER_PLATFORM,
    retentionDays: 90,
    expires: { date: '2027-12-31' },
  }),
  'gps.time_to_lock': define({
    category: 'hardware',
    kind: 'gauge',
    unit: 's',
    value: z.number().min(0).max(3600),
    attributes: noAttributes,
    description: 'Seconds the GPS took to find its position after starting.',
    owner: OWNER_PLATFORM,
    retentionDays: 90,
    expires: { date: '2027-12-31' },
  }),
  // ---- usage (timestamps bucketed to the hour)
  'ui.screen_view': define({
    category: 'usage',
    kind: 'event',
    unit: '1',
    value: z.null(),
    attributes: z.object({ screen: identifier }).strict(),
    description: 'A settings screen was opened (which one; the time rounded down to the hour).',
    owner: OWNER_UX,
    retentionDays: 180,
    expires: { version: '2.0.0' },
  }),
  'ui.feature_use': define({
    category: 'usage',
    kind: 'event',
    unit: '1',
    value: z.null(),
    attributes: z.object({ feature: identifier }).strict(),
    description: 'A feature was used (its name only; the time rounded down to the hour).',
    owner: OWNER_UX,
    retentionDays: 180,
    expires: { version: '2.0.0' },
  }),
  // ---- errors and crashes
  'errors.count': define({
    category: 'errors',
    kind: 'counter',
    unit: '1',
    value: z.number().int().min(1),
    attributes: z.object({ subsystem: identifier, level: z.enum(['warn', 'error', 'fatal']) }).strict(),
    description: 'Warnings, errors and fatal errors logged per subsystem since the last report.',
    owner: OWNER_PLATFORM,
    retentionDays: 90,
    expires: 'never',
  }),
  'errors.crash_count': define({
    category: 'errors',
    kind: 'counter',
    unit: '1',
    value: z.number().int().min(1),
    attributes: z.object({ process: identifier }).strict(),
    description: 'Crashes (uncaught exceptions, unhandled rejections) per process since the last report.',
    owner: OWNER_PLATFORM,
    retentionDays: 90,
    expires: 'never',
  }),
  'log.record': define({
    category: 'errors',
    kind: 'event',
    unit: '1',
    value: z.null(),
    attributes: z.object({ level: z.enum(['warn', 'error', 'fatal']), subsystem: identifier }).strict(),
    description: 'A warning, error or fatal log entry, scrubbed of personal data (debug and info entries are never sent).',
    owner: OWNER_PLATFORM,
    retentionDays: 30,
    expires: 'never',
  }),
  'crash.record': define({
    category: 'errors',
    kind: 'event',
    unit: '1',
    value: z.null(),
    attributes: z.object({ process: identifier }).strict(),
    description: 'A crash record: the stack and the last log lines, scrubbed of personal data.',
    owner: OWNER_PLATFORM,
    retentionDays: 30,
    expires: 'never',
  }),
  'crash.minidump': define({
    category: 'errors',
    kind: 'event',
    unit: '1',
    value: z.null(),
    attributes: z
      .object({
        process: z.enum(['electron']),
        size_bytes: z.number().int().min(0),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        // The hour the crash happened, no closer.
        created: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/),
        dump_included: z.boolean(),
      })
      .strict(),
    description:
      "That the user interface crashed natively: the crash dump's size, hash and hour. The dump itself holds the interface's memory, which cannot be scrubbed, so it never leaves the headset.",
    owner: OWNER_PLATFORM,
    retentionDays: 30,
    expires: 'never',
  }),
  // ---- location (the most sensitive: coarsened before it is recorded)
  'location.coarse': define({
    category: 'location',
    kind: 'event',
    unit: '1',
    value: z.null(),
    attributes: z.union([
      z.object({ geohash: z.string().regex(/^[0-9b-hjkmnp-z]{5}$/) }).strict(),
      z.object({ track: identifier, point: z.number().int().nonnegative() }).strict(),
    ]),
    description: 'Approximate position: a 5-character geohash (about 5 km), or the nearest point of a known track.',
    owner: OWNER_PLATFORM,
    retentionDays: 30,
    expires: { date: '2027-06-30' },
  }),
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];
export type MetricValue<N extends MetricName> = z.input<(typeof METRICS)[N]['value']>;
export type MetricAttributes<N extends MetricName> = z.input<(typeof METRICS)[N]['attributes']>;

export function isMetricName(name: unknown): name is MetricName {
  return typeof name === 'string' && Object.hasOwn(METRICS, name);
}

export function metricsOf(category: TelemetryCategoryId): MetricName[] {
  return METRIC_NAMES.filter((name) => METRICS[name].category === category);
}

export class UndeclaredMetricError extends Error {
  constructor(
    readonly metric: string,
    reason: string,
  ) {
    super(`telemetry: ${metric}: ${reason}`);
    this.name = 'UndeclaredMetricError';
  }
}

/** A recording the registry accepts, its value and attributes parsed by their schemas. */
export interface CheckedRecording {
  name: MetricName;
  definition: MetricDefinition;
  value: number | null;
  attributes: Record<string, string | number | boolean>;
}

/** Checks a recording against the registry; throws UndeclaredMetricError for anything undeclared. */
export function checkRecording(name: string, value: unknown, attributes: unknown = {}): CheckedRecording {
  if (!isMetricName(name)) throw new UndeclaredMetricError(name, 'not declared in the registry');
  const definition: MetricDefinition = METRICS[name];
  const parsedValue = definition.value.safeParse(value);
  if (!parsedValue.success) throw new UndeclaredMetricError(name, `value outside its schema (${parsedValue.error.issues[0]?.message})`);
  const parsedAttributes = definition.attributes.safeParse(attributes);
  if (!parsedAttributes.success)
    throw new UndeclaredMetricError(
      name,
      `attributes outside their schema (${parsedAttributes.error.issues.map((i) => i.path.join('.') || i.message).join(', ')})`,
    );
  return {
    name,
    definition,
    value: parsedValue.data as number | null,
    attributes: parsedAttributes.data as Record<string, string | number | boolean>,
  };
}

/** Whether a metric has expired for this app version on this day (expired metrics record nothing). */
export function isExpired(definition: MetricDefinition, appVersion: string, now: Date): boolean {
  const expires = definition.expires;
  if (expires === 'never') return false;
  if ('date' in expires) return now.toISOString().slice(0, 10) > expires.date;
  return compareVersions(appVersion, expires.version) >= 0;
}

function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .split(/[-+]/)[0]!
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
