import { z } from 'zod';
import type { AlertThresholds } from '../../alerts/thresholds.js';
import { call, event, noInput } from './common.js';

/**
 * Alerts: the conditions headsetd decides the wearer must know about (a hot headset, a low
 * battery, full storage, update news, a crash loop), each in plain words with the action that helps.
 */

export const ALERT_IDS = [
  'temperature-critical',
  'temperature-high',
  'battery-critical',
  'battery-low',
  'storage-low',
  'crash-loop',
  'update-ready',
  'update-available',
  'update-failed',
  'update-rolled-back',
  'update-waiting',
  'update-server-unreachable',
  'update-installed',
] as const;
export const alertIdSchema = z.enum(ALERT_IDS);
export type AlertId = z.infer<typeof alertIdSchema>;

/** `critical` takes the wearer's focus once when raised; `warning` and `info` are shown. */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** What the alert's button does: a call (`restart-update` is update.restart) or a screen to open. */
export const ALERT_ACTIONS = ['restart-update', 'open-updates', 'open-logs'] as const;
export type AlertActionKind = (typeof ALERT_ACTIONS)[number];

export const alertSchema = z.object({
  id: alertIdSchema,
  severity: z.enum(ALERT_SEVERITIES),
  /** A few words for the side menu ("Too hot"). */
  short: z.string(),
  title: z.string(),
  /** What is happening and what to do, in plain words. */
  message: z.string(),
  action: z.object({ kind: z.enum(ALERT_ACTIONS), label: z.string() }).nullable(),
  /** Update news can be put away (alerts.dismiss); a device condition goes when its cause does. */
  dismissible: z.boolean(),
  /** When the condition was raised (ISO 8601): with the id, names this raise. */
  since: z.string(),
});
export type Alert = z.infer<typeof alertSchema>;

export const alertsStateSchema = z.object({
  /** The alerts showing, most severe first, then newest first. */
  alerts: z.array(alertSchema),
});
export type AlertsState = z.infer<typeof alertsStateSchema>;

const highLevelSchema = z.object({ raiseAt: z.number(), clearBelow: z.number() });
const lowLevelSchema = z.object({ raiseAt: z.number(), clearAt: z.number() });

/** The device profile's thresholds (src/alerts/thresholds.ts): where a condition is raised and cleared. */
export const alertThresholdsSchema: z.ZodType<AlertThresholds> = z.object({
  temperature: z.object({ high: highLevelSchema, critical: highLevelSchema }),
  battery: z.object({ low: lowLevelSchema, critical: lowLevelSchema }),
  storageFreePercent: lowLevelSchema,
  crashLoop: z.object({ crashes: z.number().int(), windowMinutes: z.number() }),
});

export const alertsCalls = {
  'alerts.list': call({
    summary: 'The alerts showing now, most severe first.',
    scope: 'status',
    input: noInput,
    output: alertsStateSchema,
    errors: [],
  }),
  'alerts.thresholds': call({
    summary:
      "This headset's thresholds for heat, battery, storage and crash loops: where each alert is raised and cleared (the meters on Home colour at the same ones).",
    scope: 'status',
    input: noInput,
    output: alertThresholdsSchema,
    errors: [],
  }),
  'alerts.dismiss': call({
    summary: 'Put away a dismissible alert until its condition clears or changes (an alert no longer showing is left as it is).',
    scope: 'user',
    input: z.object({ id: alertIdSchema }).strict(),
    output: alertsStateSchema,
    errors: ['ALERT_NOT_DISMISSIBLE'],
  }),
} as const;

export const alertsEvents = {
  'alerts.changed': event({
    summary: 'The alerts showing, after any raise, clear, dismissal or change of their words.',
    scope: 'status',
    payload: alertsStateSchema,
  }),
} as const;
