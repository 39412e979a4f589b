import { z } from 'zod';
import { LOG_LEVELS, SUBSYSTEMS } from '../../logging/logRecord.js';
import { call, noInput } from './common.js';

/** Logs: writing the UI's entries, querying and summarizing the device log, exporting it, and crash records. */

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

export const logWriteEntrySchema = z
  .object({
    level: z.enum(LOG_WRITE_LEVELS),
    msg: z.string().max(2048),
    fields: boundedFieldsSchema.optional(),
    /** When the client logged it (ISO 8601); the device's time is used when absent. */
    time: z.string().datetime({ offset: true }).optional(),
    /** The process crashed: the device writes a crash record for it as well. */
    crash: z
      .object({
        name: z.string().max(200),
        message: z.string().max(4096),
        stack: z
          .string()
          .max(16 * 1024)
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type LogWriteEntry = z.infer<typeof logWriteEntrySchema>;

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

export const logQueryInputSchema = z
  .object({
    ...logFilterShape,
    limit: z.number().int().min(1).max(500).default(100),
    /** `nextCursor` of the previous page: entries older than its last one. */
    before: z
      .string()
      .max(300)
      .regex(/^[^|]+\|\d+\|.*$/)
      .optional(),
  })
  .strict()
  .refine(rangeInOrder, rangeMessage);

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

const levelCountsSchema = z.object(
  Object.fromEntries(LOG_LEVELS.map((l) => [l, z.number().int().nonnegative()])) as Record<(typeof LOG_LEVELS)[number], z.ZodNumber>,
);

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

export const logSummaryInputSchema = z
  .object({
    since: isoTimeSchema.optional(),
    until: isoTimeSchema.optional(),
    bucketCount: z.number().int().min(4).max(200).default(48),
  })
  .strict()
  .refine(rangeInOrder, rangeMessage);

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

export const logExportResultSchema = z.object({
  fileName: z.string(),
  bytes: z.number().int().nonnegative(),
  entries: z.number().int().nonnegative(),
});
export type LogExportResult = z.infer<typeof logExportResultSchema>;

// ---- calls -----------------------------------------------------------------------------------

export const logsCalls = {
  'logs.write': call({
    summary:
      'Write entries from the UI processes (renderer, Electron main) into the device log, subsystem ui. ' +
      'Answered once the lines reached the kernel (they survive headsetd dying), and for a batch with an error ' +
      "or fatal entry once they were fdatasync'd (they survive a power cut).",
    scope: 'user',
    input: z
      .object({
        /** The UI process the entries come from (both relay through the same connection). */
        process: z.enum(['renderer', 'electron-main']).default('renderer'),
        entries: z.array(logWriteEntrySchema).min(1).max(50),
      })
      .strict(),
    // written: the entries now in the log (a debug entry below the device's level is not kept).
    output: z.object({ written: z.number().int().nonnegative(), crashId: z.string().nullable() }),
    errors: ['LOGS_RATE_LIMITED', 'LOGS_NOT_WRITTEN'],
  }),
  'logs.query': call({
    summary: 'Log entries matching a filter (levels, subsystems, time range, text), newest first, a page at a time.',
    scope: 'status',
    input: logQueryInputSchema,
    output: logQueryResultSchema,
    errors: [],
  }),
  'logs.summary': call({
    summary: 'A time range of the log at a glance: entries per level over time, top message templates, ' + 'anomalies and insights in plain words.',
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
  'crashes.list': call({
    summary: 'Crash records kept on the device (any process), newest first.',
    scope: 'status',
    input: noInput,
    output: z.array(crashSummarySchema),
    errors: [],
  }),
} as const;

export const logsEvents = {} as const;
