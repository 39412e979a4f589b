import { z } from 'zod';
import type { ErrorCode } from './errors.js';
import { TELEMETRY_CATEGORIES, type TelemetryCategoryId } from '../telemetry/categories.js';
import { LOG_LEVELS, SUBSYSTEMS } from '../logging/logRecord.js';

/**
 * The API contract: every call and event, declared once. Client and service types are derived from
 * this file; the router validates against it. Adding a capability means adding entries here.
 */

/** Who may use a call. `recovery` calls additionally need the device to be in recovery mode. */
export const SCOPES = ['status', 'user', 'unlocked', 'recovery'] as const;
export type Scope = (typeof SCOPES)[number];

export const MODES = ['settings', 'setup', 'recovery'] as const;
export const modeSchema = z.enum(MODES);
export type Mode = z.infer<typeof modeSchema>;

export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  summary: string;
  scope: Scope;
  /** Modes the call is offered in; absent means every mode. */
  modes?: readonly Mode[];
  input: I;
  output: O;
  /** Errors the service itself may raise (the router's generic ones come on top). */
  errors: readonly ErrorCode[];
}

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  summary: string;
  scope: Scope;
  payload: P;
}

const call = <I extends z.ZodType, O extends z.ZodType>(spec: CallSpec<I, O>) => spec;
const event = <P extends z.ZodType>(spec: EventSpec<P>) => spec;
const noInput = z.object({}).strict();

// ---- domain schemas -------------------------------------------------------------------------

export const slotNameSchema = z.enum(['A', 'B']);
export type SlotName = z.infer<typeof slotNameSchema>;

export const slotStatusSchema = z.object({
  name: slotNameSchema,
  /** Version of the image in the slot, null when the slot holds none. */
  version: z.string().nullable(),
  /** The boot environment lets the bootloader pick this slot. */
  bootable: z.boolean(),
  /** Boot attempts the bootloader has left for this slot before it falls back. */
  triesLeft: z.number().int().nonnegative(),
  active: z.boolean(),
});
export type SlotStatus = z.infer<typeof slotStatusSchema>;

export const bootStatusSchema = z.object({
  activeSlot: slotNameSchema,
  /** Order the bootloader tries slots in, preferred first. */
  order: z.array(slotNameSchema),
  slots: z.array(slotStatusSchema),
  bootId: z.string(),
  bootCount: z.number().int().nonnegative(),
  /** The bootloader fell back from the preferred slot on this boot. */
  fellBack: z.boolean(),
});
export type BootStatus = z.infer<typeof bootStatusSchema>;

const bytesUsage = z.object({ usedBytes: z.number().nonnegative(), totalBytes: z.number().nonnegative() });

export const healthSnapshotSchema = z.object({
  takenAt: z.string(),
  cpuLoadPercent: z.number().min(0).max(100),
  /** Null where the hardware exposes no reading. */
  temperatureC: z.number().nullable(),
  memory: bytesUsage,
  /** The file system holding the user data. */
  disk: bytesUsage.extend({ path: z.string() }),
  /** Null where the device has no battery. */
  battery: z.object({ percent: z.number().min(0).max(100), charging: z.boolean() }).nullable(),
  /** The GPS receiver; null where the device has none. `timeToLockMs` is of the last acquisition (null before the first). */
  gps: z.object({ timeToLockMs: z.number().nonnegative().nullable(), locked: z.boolean(), satellites: z.number().int().nonnegative() }).nullable(),
});
export type HealthSnapshot = z.infer<typeof healthSnapshotSchema>;

export const healthHistoryQuerySchema = z.object({
  /** Only snapshots taken after this time (ISO 8601). */
  since: z.string().datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(2000).optional(),
}).strict();

/** Which process a crash record or a relayed log entry comes from. */
export const processNameSchema = z.enum(['headsetd', 'electron-main', 'renderer']);
export type ProcessName = z.infer<typeof processNameSchema>;

export const crashSummarySchema = z.object({
  id: z.string(),
  time: z.string(),
  process: processNameSchema,
  version: z.string(),
  /** Error name and message, e.g. `TypeError: x is undefined`. */
  error: z.string(),
  /** Handed to the telemetry forwarder already. */
  forwarded: z.boolean(),
});
export type CrashSummary = z.infer<typeof crashSummarySchema>;

const LOG_WRITE_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
/** Small structured fields: at most 4 KiB once serialized, so a client cannot bloat the log. */
const boundedFieldsSchema = z.record(z.string().max(64), z.unknown()).refine((fields) => {
  try {
    return JSON.stringify(fields).length <= 4096;
  } catch {
    return false;
  }
}, 'fields must serialize to at most 4 KiB of JSON');

export const logWriteEntrySchema = z.object({
  level: z.enum(LOG_WRITE_LEVELS),
  msg: z.string().max(2048),
  fields: boundedFieldsSchema.optional(),
  /** When the client logged it (ISO 8601); the device's time is used when absent. */
  time: z.string().datetime({ offset: true }).optional(),
  /** The process crashed: the device writes a crash record for it as well. */
  crash: z.object({ name: z.string().max(200), message: z.string().max(4096), stack: z.string().max(16 * 1024).optional() }).strict().optional(),
}).strict();
export type LogWriteEntry = z.infer<typeof logWriteEntrySchema>;

export const systemInfoSchema = z.object({
  product: z.string(),
  appVersion: z.string(),
  commit: z.string(),
  deviceProfile: z.enum(['simulated', 'linux']),
  model: z.string(),
  /** Versions of the headset's components (bootloader, firmware, system): what bundles may require. */
  components: z.record(z.string(), z.string()).optional(),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;

export const identitySchema = z.object({
  deviceId: z.string().uuid(),
  /** Where the id came from: read from the hardware, or generated once on first boot. */
  idSource: z.enum(['hardware', 'generated']),
  keyAlgorithm: z.literal('ed25519'),
  /** Public key, base64. The private key never crosses the API. */
  publicKey: z.string(),
  createdAt: z.string(),
});
export type Identity = z.infer<typeof identitySchema>;

export const modeStateSchema = z.object({
  mode: modeSchema,
  /** Why the device is in this mode. */
  reason: z.enum(['requested', 'recovery-button', 'first-run', 'setup-complete', 'default']),
  setupComplete: z.boolean(),
});
export type ModeState = z.infer<typeof modeStateSchema>;

export const updateOfferSchema = z.object({
  version: z.string(),
  notes: z.string(),
  /** Bytes to download (the bundle). */
  downloadBytes: z.number().int().nonnegative(),
  /** Bytes the new system occupies in its slot. */
  installBytes: z.number().int().nonnegative(),
  kind: z.enum(['full', 'delta']),
});
export type UpdateOffer = z.infer<typeof updateOfferSchema>;

const problemSchema = z.object({ code: z.string(), message: z.string() });

/**
 * The update service's state, pushed whole on every change:
 *
 *   unconfigured   idle -> checking -> up-to-date | available -> downloading <-> (paused)
 *     -> downloaded -> installing -> ready-to-reboot -> (reboot: trial, commit or rollback) -> idle
 *   any step -> failed (with the catalogue code) -> idle on the next check
 */
export const updateStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('unconfigured') }),
  z.object({ status: z.literal('idle') }),
  z.object({ status: z.literal('checking') }),
  z.object({ status: z.literal('up-to-date') }),
  z.object({ status: z.literal('available'), offer: updateOfferSchema }),
  z.object({
    status: z.literal('downloading'),
    offer: updateOfferSchema,
    bytes: z.number().nonnegative(),
    total: z.number().nonnegative(),
    paused: z.boolean(),
    /** Why it is not moving although not paused. */
    waitingFor: z.enum(['network', 'unmetered-network', 'retry']).nullable(),
  }),
  z.object({ status: z.literal('downloaded'), offer: updateOfferSchema }),
  z.object({ status: z.literal('installing'), offer: updateOfferSchema, bytes: z.number().nonnegative(), total: z.number().nonnegative() }),
  z.object({ status: z.literal('ready-to-reboot'), version: z.string() }),
  z.object({ status: z.literal('failed'), error: problemSchema }),
]);
export type UpdateState = z.infer<typeof updateStateSchema>;

export const updateSettingsSchema = z.object({
  /** Download speed limit; null for none. */
  bandwidthLimitBytesPerSecond: z.number().int().min(16 * 1024).nullable(),
  /** Download over metered connections (mobile hotspot). */
  allowMetered: z.boolean(),
  checkIntervalHours: z.number().min(1).max(24 * 7),
});
export type UpdateSettings = z.infer<typeof updateSettingsSchema>;

export const updateHistoryEntrySchema = z.object({
  version: z.string(),
  fromVersion: z.string(),
  slot: slotNameSchema,
  startedAt: z.string(),
  finishedAt: z.string(),
  outcome: z.enum(['committed', 'rolled-back', 'failed', 'manual-rollback']),
  detail: z.string(),
});
export type UpdateHistoryEntry = z.infer<typeof updateHistoryEntrySchema>;

export const updateStatusSchema = z.object({
  state: updateStateSchema,
  settings: updateSettingsSchema,
  /** When the last check finished, whatever it found. */
  lastCheck: z.string().nullable(),
  /** The running system. */
  current: z.object({ slot: slotNameSchema, version: z.string() }),
  /** The other slot, when it holds a system one can go back to. */
  rollbackTo: z.object({ slot: slotNameSchema, version: z.string() }).nullable(),
  /** Older versions whose bundles the headset kept, to go back further than the other slot. */
  keptVersions: z.array(z.string()),
});
export type UpdateStatus = z.infer<typeof updateStatusSchema>;

export const telemetryCategorySchema = z.enum(TELEMETRY_CATEGORIES);

/** One consent category as the Privacy screen shows it. */
export const privacyCategorySchema = z.object({
  id: telemetryCategorySchema,
  title: z.string(),
  description: z.string(),
  /** Always on (the policy marks it needed for safe updates); cannot be turned off. */
  essential: z.boolean(),
  /** Collecting now (a grant made under an older policy does not count until decided again). */
  granted: z.boolean(),
  /** The registry's metric names in this category. */
  examples: z.array(z.string()),
});

export const privacyStatusSchema = z.object({
  /** The privacy policy the headset runs (docs/privacy.md). */
  policyVersion: z.number().int().positive(),
  decidedAt: z.string().nullable(),
  /** Never decided, or decided under an older policy: ask the wearer. */
  needsDecision: z.boolean(),
  categories: z.array(privacyCategorySchema),
});
export type PrivacyStatus = z.infer<typeof privacyStatusSchema>;

export const privacyDecisionSchema = z.object({
  /** The policy version the wearer was shown. */
  policyVersion: z.number().int().nonnegative(),
  granted: z.object(Object.fromEntries(TELEMETRY_CATEGORIES.map((c) => [c, z.boolean().optional()])) as Record<TelemetryCategoryId, z.ZodOptional<z.ZodBoolean>>).strict(),
}).strict();

/** The telemetry outbox and its forwarding (main/services/telemetry/Outbox.ts). */
const outboxPrioritySchema = z.enum(['critical', 'normal', 'bulk', 'debug']);
export const telemetryOutboxStatusSchema = z.object({
  /** Records waiting, per priority. */
  queued: z.record(outboxPrioritySchema, z.number().int().nonnegative()),
  queuedBytes: z.number().int().nonnegative(),
  limitBytes: z.number().int().nonnegative(),
  /** Dropped to stay within the bound, or refused for good by the receiver. */
  dropped: z.number().int().nonnegative(),
  corruptSkipped: z.number().int().nonnegative(),
  delivered: z.number().int().nonnegative(),
  lastDeliveryAt: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  waitingFor: z.enum(['network', 'unmetered-network', 'retry']).nullable(),
  /** The OTLP/HTTP endpoint records go to; null when none is configured (they stay queued). */
  endpoint: z.string().nullable(),
});
export type TelemetryOutboxStatus = z.infer<typeof telemetryOutboxStatusSchema>;

// ---- log analysis ----------------------------------------------------------------------------

const isoTimeSchema = z.string().datetime({ offset: true });
const logFilterShape = {
  levels: z.array(z.enum(LOG_LEVELS)).max(LOG_LEVELS.length).optional(),
  subsystems: z.array(z.enum(SUBSYSTEMS)).max(SUBSYSTEMS.length).optional(),
  /** Inclusive. */
  since: isoTimeSchema.optional(),
  /** Exclusive. */
  until: isoTimeSchema.optional(),
  /** Case-insensitive text in the message or a field; `name=value` words match a field exactly. */
  text: z.string().max(200).optional(),
};
const rangeInOrder = (r: { since?: string; until?: string }) => !r.since || !r.until || Date.parse(r.since) < Date.parse(r.until);
const rangeMessage = { message: 'since must be before until', path: ['until'] };

export const logFilterSchema = z.object(logFilterShape).strict().refine(rangeInOrder, rangeMessage);
export type LogFilter = z.infer<typeof logFilterSchema>;

export const logEntrySchema = z.object({
  time: z.string(),
  level: z.enum(LOG_LEVELS),
  subsystem: z.string(),
  msg: z.string(),
  version: z.string(),
  commit: z.string(),
  bootId: z.string(),
  seq: z.number(),
  fields: z.record(z.string(), z.unknown()).optional(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

export const logQueryInputSchema = z.object({
  ...logFilterShape,
  limit: z.number().int().min(1).max(500).default(100),
  /** `nextCursor` of the previous page: entries older than its last one. */
  before: z.string().max(300).regex(/^[^|]+\|\d+\|.*$/).optional(),
}).strict().refine(rangeInOrder, rangeMessage);

export const logQueryResultSchema = z.object({
  /** Newest first. */
  entries: z.array(logEntrySchema).max(500),
  /** More entries match than the page holds. */
  truncated: z.boolean(),
  nextCursor: z.string().nullable(),
  /** Lines read to answer, and lines that were not log entries. */
  scanned: z.number().int().nonnegative(),
  malformed: z.number().int().nonnegative(),
});
export type LogQueryResult = z.infer<typeof logQueryResultSchema>;

const levelCountsSchema = z.object(Object.fromEntries(LOG_LEVELS.map((l) => [l, z.number().int().nonnegative()])) as Record<(typeof LOG_LEVELS)[number], z.ZodNumber>);

export const logTemplateSchema = z.object({
  id: z.number().int().nonnegative(),
  /** The message with its variable parts masked: `<num>`, `<path>`, `<*>`... */
  template: z.string(),
  subsystem: z.string(),
  level: z.enum(LOG_LEVELS),
  count: z.number().int().nonnegative(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  example: z.string(),
});
export type LogTemplate = z.infer<typeof logTemplateSchema>;

export const logAnomalySchema = z.object({
  kind: z.enum(['burst', 'new-error']),
  templateId: z.number().int().nonnegative(),
  template: z.string(),
  subsystem: z.string(),
  level: z.enum(LOG_LEVELS),
  at: z.string(),
  observed: z.number(),
  expected: z.number(),
  /** -log10 of the chance of so many at the usual rate. */
  score: z.number(),
  explanation: z.string(),
});
export type LogAnomaly = z.infer<typeof logAnomalySchema>;

export const logInsightSchema = z.object({
  kind: z.enum(['version-change', 'error-rate', 'restarts', 'crashes']),
  text: z.string(),
  evidence: z.string(),
  severity: z.enum(['info', 'warn', 'error']),
  subsystem: z.string().optional(),
});
export type LogInsight = z.infer<typeof logInsightSchema>;

export const logSummaryInputSchema = z.object({
  since: isoTimeSchema.optional(),
  until: isoTimeSchema.optional(),
  bucketCount: z.number().int().min(4).max(200).default(48),
}).strict().refine(rangeInOrder, rangeMessage);

export const logSummarySchema = z.object({
  since: z.string(),
  until: z.string(),
  bucketMs: z.number().int().positive(),
  /** Entries in the range, and lines that were not entries. */
  entries: z.number().int().nonnegative(),
  malformed: z.number().int().nonnegative(),
  timeline: z.array(z.object({ start: z.string(), counts: levelCountsSchema })).max(200),
  topTemplates: z.array(logTemplateSchema).max(50),
  anomalies: z.array(logAnomalySchema).max(50),
  insights: z.array(logInsightSchema).max(50),
});
export type LogSummary = z.infer<typeof logSummarySchema>;

export const logExportResultSchema = z.object({ fileName: z.string(), bytes: z.number().int().nonnegative(), entries: z.number().int().nonnegative() });
export type LogExportResult = z.infer<typeof logExportResultSchema>;

// ---- calls and events -----------------------------------------------------------------------

export const apiCalls = {
  'system.ping': call({
    summary: 'Echo a payload back; a no-op used for liveness checks and round-trip measurements.',
    scope: 'status',
    input: z.object({ payload: z.string().max(64 * 1024).optional() }).strict(),
    output: z.object({ payload: z.string().optional() }),
    errors: [],
  }),
  'system.info': call({
    summary: 'Product, app version and commit, and which device profile the services run on.',
    scope: 'status',
    input: noInput,
    output: systemInfoSchema,
    errors: [],
  }),
  'identity.get': call({
    summary: 'The device id and public key.',
    scope: 'status',
    input: noInput,
    output: identitySchema,
    errors: [],
  }),
  'boot.status': call({
    summary: 'Active slot, slot versions and the boot environment as the bootloader sees it.',
    scope: 'status',
    input: noInput,
    output: bootStatusSchema,
    errors: [],
  }),
  'health.snapshot': call({
    summary: 'The latest health snapshot (CPU load, temperature, memory, disk).',
    scope: 'status',
    input: noInput,
    output: healthSnapshotSchema,
    errors: [],
  }),
  'health.history': call({
    summary: 'Past health snapshots (about one a minute, kept a week), oldest first.',
    scope: 'status',
    input: healthHistoryQuerySchema,
    output: z.array(healthSnapshotSchema),
    errors: [],
  }),
  'crashes.list': call({
    summary: 'Crash records kept on the device (any process), newest first.',
    scope: 'status',
    input: noInput,
    output: z.array(crashSummarySchema),
    errors: [],
  }),
  'logs.write': call({
    summary: 'Write entries from the UI processes (renderer, Electron main) into the device log, subsystem ui.',
    scope: 'user',
    input: z.object({
      /** The UI process the entries come from (both relay through the same connection). */
      process: z.enum(['renderer', 'electron-main']).default('renderer'),
      entries: z.array(logWriteEntrySchema).min(1).max(50),
    }).strict(),
    output: z.object({ written: z.number().int().nonnegative(), crashId: z.string().nullable() }),
    errors: ['LOGS_RATE_LIMITED'],
  }),
  'mode.get': call({
    summary: 'The mode the device is in and why.',
    scope: 'status',
    input: noInput,
    output: modeStateSchema,
    errors: [],
  }),
  'setup.complete': call({
    summary: 'Finish the first-run wizard: persist it and switch to the settings mode.',
    scope: 'user',
    modes: ['setup'],
    input: noInput,
    output: modeStateSchema,
    errors: [],
  }),
  'system.restart': call({
    summary: 'Restart the headset (the bootloader selects the slot again).',
    scope: 'user',
    input: noInput,
    output: z.object({ restarting: z.literal(true) }),
    errors: ['NOT_SUPPORTED'],
  }),
  'recovery.restart': call({
    summary: 'Leave recovery: restart the device through the bootloader\'s slot selection.',
    scope: 'recovery',
    modes: ['recovery'],
    input: noInput,
    output: z.object({ restarting: z.literal(true) }),
    errors: ['NOT_SUPPORTED'],
  }),
  'update.status': call({
    summary: 'The update state, settings, running version and what a rollback would go back to.',
    scope: 'status',
    input: noInput,
    output: updateStatusSchema,
    errors: [],
  }),
  'update.check': call({
    summary: 'Ask the update repository now whether a newer system exists for this headset.',
    scope: 'user',
    input: noInput,
    output: updateStatusSchema,
    errors: ['UPDATE_IN_PROGRESS', 'UPDATE_NOT_CONFIGURED', 'UPDATE_CHECK_FAILED'],
  }),
  'update.download': call({
    summary: 'Download the offered update in the background (resumable; survives restarts).',
    scope: 'user',
    input: noInput,
    output: updateStatusSchema,
    errors: ['UPDATE_IN_PROGRESS', 'UPDATE_NOTHING_TO_DO', 'UPDATE_NO_SPACE'],
  }),
  'update.pause': call({ summary: 'Pause the download; it resumes from where it stopped.', scope: 'user', input: noInput, output: updateStatusSchema, errors: ['UPDATE_NOTHING_TO_DO'] }),
  'update.resume': call({ summary: 'Resume a paused download.', scope: 'user', input: noInput, output: updateStatusSchema, errors: ['UPDATE_NOTHING_TO_DO'] }),
  'update.install': call({
    summary: 'Install the downloaded update into the other slot; it is tried at the next restart.',
    scope: 'user',
    input: noInput,
    output: updateStatusSchema,
    errors: ['UPDATE_IN_PROGRESS', 'UPDATE_NOTHING_TO_DO', 'UPDATE_INCOMPATIBLE', 'UPDATE_NOT_NEWER', 'UPDATE_BELOW_MIN_VERSION', 'UPDATE_REQUIREMENT_UNMET', 'UPDATE_TOO_LARGE', 'UPDATE_NO_BOOT_SPACE', 'UPDATE_SERVICE_STOP_FAILED', 'SLOT_VERIFY_FAILED', 'BUNDLE_TRUNCATED', 'BUNDLE_MALFORMED', 'BUNDLE_UNSUPPORTED_FORMAT', 'BUNDLE_MANIFEST_TOO_LARGE', 'BUNDLE_UNTRUSTED_KEY', 'BUNDLE_BAD_SIGNATURE', 'BUNDLE_BAD_LAYOUT', 'BUNDLE_PAYLOAD_MISMATCH', 'BUNDLE_TRAILING_DATA'],
  }),
  'update.restart': call({
    summary: 'Restart into the installed update (its trial boot).',
    scope: 'user',
    input: noInput,
    output: z.object({ restarting: z.literal(true) }),
    errors: ['UPDATE_NOTHING_TO_DO', 'NOT_SUPPORTED'],
  }),
  'update.rollback': call({
    summary: 'Go back to the system in the other slot, or to a kept older version (reinstalled), and restart.',
    scope: 'user',
    input: z.object({ version: z.string().max(64).optional() }).strict(),
    output: z.object({ restarting: z.literal(true) }),
    errors: ['UPDATE_IN_PROGRESS', 'UPDATE_NOTHING_TO_DO', 'SLOT_VERIFY_FAILED', 'UPDATE_ROLLBACK_NOT_ALLOWED', 'UPDATE_NOT_CONFIGURED', 'UPDATE_CHECK_FAILED', 'NOT_SUPPORTED', 'BUNDLE_UNTRUSTED_KEY', 'BUNDLE_BAD_SIGNATURE', 'BUNDLE_PAYLOAD_MISMATCH', 'BUNDLE_TRUNCATED', 'UPDATE_INCOMPATIBLE', 'UPDATE_TOO_LARGE', 'UPDATE_REQUIREMENT_UNMET', 'UPDATE_NO_BOOT_SPACE', 'UPDATE_SERVICE_STOP_FAILED'],
  }),
  'update.settings': call({
    summary: 'Change the update settings (bandwidth limit, metered downloads, check interval).',
    scope: 'user',
    input: updateSettingsSchema.partial().strict(),
    output: updateStatusSchema,
    errors: [],
  }),
  'update.history': call({
    summary: 'Past installs and rollbacks, newest first.',
    scope: 'status',
    input: noInput,
    output: z.array(updateHistoryEntrySchema),
    errors: [],
  }),
  'privacy.get': call({
    summary: 'The telemetry consent: policy version, whether a decision is needed, and each category with its state.',
    scope: 'status',
    input: noInput,
    output: privacyStatusSchema,
    errors: [],
  }),
  'privacy.set': call({
    summary: 'Turn telemetry categories on or off; turning one off purges what is queued and sends a deletion request.',
    scope: 'user',
    input: privacyDecisionSchema,
    output: privacyStatusSchema,
    errors: ['PRIVACY_ESSENTIAL_CATEGORY', 'PRIVACY_POLICY_OUTDATED'],
  }),
  'telemetry.outbox': call({
    summary: 'What waits to be forwarded (per priority, bytes against the bound), what was delivered, dropped or found corrupt, and why sending waits.',
    scope: 'status',
    input: noInput,
    output: telemetryOutboxStatusSchema,
    errors: [],
  }),
  'usage.record': call({
    summary: 'Count a screen view or a feature use (the usage category; recorded only when granted).',
    scope: 'user',
    input: z.object({ event: z.enum(['ui.screen_view', 'ui.feature_use']), name: z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/) }).strict(),
    output: z.object({ recorded: z.boolean() }),
    errors: [],
  }),
  'logs.query': call({
    summary: 'Log entries matching a filter (levels, subsystems, time range, text), newest first, a page at a time.',
    scope: 'status',
    input: logQueryInputSchema,
    output: logQueryResultSchema,
    errors: [],
  }),
  'logs.summary': call({
    summary: 'A time range of the log at a glance: entries per level over time, top message templates, anomalies and insights in plain words.',
    scope: 'status',
    input: logSummaryInputSchema,
    output: logSummarySchema,
    errors: [],
  }),
  'logs.export': call({
    summary: 'Write the entries matching a filter to the removable medium (USB stick) as gzip-compressed JSON lines.',
    scope: 'user',
    modes: ['settings', 'recovery'],
    input: logFilterSchema,
    output: logExportResultSchema,
    errors: ['EXPORT_NO_MEDIUM', 'EXPORT_FAILED'],
  }),
} as const;

export const apiEvents = {
  'health.changed': event({ summary: 'A new health snapshot.', scope: 'status', payload: healthSnapshotSchema }),
  'boot.changed': event({ summary: 'The boot status after a (simulated) boot.', scope: 'status', payload: bootStatusSchema }),
  'mode.changed': event({ summary: 'The device switched mode.', scope: 'status', payload: modeStateSchema }),
  'update.changed': event({ summary: 'The update status after any change (progress included).', scope: 'status', payload: updateStatusSchema }),
  'privacy.changed': event({ summary: 'The telemetry consent after a change.', scope: 'status', payload: privacyStatusSchema }),
} as const;

// ---- derived types --------------------------------------------------------------------------

export type ApiCalls = typeof apiCalls;
export type ApiEvents = typeof apiEvents;
export type CallName = keyof ApiCalls;
export type EventName = keyof ApiEvents;
export type CallInput<M extends CallName> = z.input<ApiCalls[M]['input']>;
export type CallOutput<M extends CallName> = z.output<ApiCalls[M]['output']>;
export type EventPayload<E extends EventName> = z.output<ApiEvents[E]['payload']>;

export interface CallContext {
  readonly signal: AbortSignal;
  /** A label of the connection (transport and peer), for the log. */
  connection: string;
}

/** What the service side implements: one handler per call, typed from the contract. */
export type CallHandlers = {
  [M in CallName]: (
    input: z.output<ApiCalls[M]['input']>,
    context: CallContext,
  ) => Promise<z.input<ApiCalls[M]['output']>> | z.input<ApiCalls[M]['output']>;
};

/** A state a service pushes: its current value and its changes. */
export interface StateSource<T> {
  current(): T | undefined;
  subscribe(listener: (value: T) => void): () => void;
}

export type EventSources = { [E in EventName]: StateSource<EventPayload<E>> };
