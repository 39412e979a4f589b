import { z } from 'zod';
import type { ErrorCode } from '../errors.js';
import { slotNameSchema } from './boot.js';
import { call, event, noInput, restartingSchema } from './common.js';

/** Update: checking, downloading and installing signed system updates into the other slot, and going back. */

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
 *     (checking while offline waits for the network: waitingFor 'network', and checks once online)
 *     -> downloaded -> installing -> ready-to-reboot -> (reboot: trial, commit or rollback) -> idle
 *   any step -> failed (with the catalogue code) -> idle on the next check
 */
export const updateStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('unconfigured') }),
  z.object({ status: z.literal('idle') }),
  z.object({
    status: z.literal('checking'),
    /** The wearer asked while the headset was offline: the check runs once it is online. */
    waitingFor: z.literal('network').optional(),
  }),
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
  z.object({
    status: z.literal('installing'),
    offer: updateOfferSchema,
    bytes: z.number().nonnegative(),
    total: z.number().nonnegative(),
  }),
  z.object({ status: z.literal('ready-to-reboot'), version: z.string() }),
  z.object({ status: z.literal('failed'), error: problemSchema }),
]);
export type UpdateState = z.infer<typeof updateStateSchema>;

export const updateSettingsSchema = z.object({
  /** Download speed limit; null for none. */
  bandwidthLimitBytesPerSecond: z
    .number()
    .int()
    .min(16 * 1024)
    .nullable(),
  /** Download over metered connections (mobile hotspot). */
  allowMetered: z.boolean(),
  checkIntervalHours: z
    .number()
    .min(1)
    .max(24 * 7),
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

// The long error lists, one concern a line: the state machine, the bundle checks, the slot write.
const installErrors = [
  'UPDATE_IN_PROGRESS',
  'UPDATE_NOTHING_TO_DO',
  'UPDATE_INCOMPATIBLE',
  'UPDATE_NOT_NEWER',
  'UPDATE_BELOW_MIN_VERSION',
  'UPDATE_REQUIREMENT_UNMET',
  'UPDATE_TOO_LARGE',
  'UPDATE_NO_BOOT_SPACE',
  'UPDATE_SERVICE_STOP_FAILED',
  'SLOT_VERIFY_FAILED',
  'BUNDLE_TRUNCATED',
  'BUNDLE_MALFORMED',
  'BUNDLE_UNSUPPORTED_FORMAT',
  'BUNDLE_MANIFEST_TOO_LARGE',
  'BUNDLE_UNTRUSTED_KEY',
  'BUNDLE_BAD_SIGNATURE',
  'BUNDLE_BAD_LAYOUT',
  'BUNDLE_PAYLOAD_MISMATCH',
  'BUNDLE_TRAILING_DATA',
] as const satisfies readonly ErrorCode[];

const rollbackErrors = [
  'UPDATE_IN_PROGRESS',
  'UPDATE_NOTHING_TO_DO',
  'SLOT_VERIFY_FAILED',
  'UPDATE_ROLLBACK_NOT_ALLOWED',
  'UPDATE_NOT_CONFIGURED',
  'UPDATE_CHECK_FAILED',
  'NOT_SUPPORTED',
  'BUNDLE_UNTRUSTED_KEY',
  'BUNDLE_BAD_SIGNATURE',
  'BUNDLE_PAYLOAD_MISMATCH',
  'BUNDLE_TRUNCATED',
  'UPDATE_INCOMPATIBLE',
  'UPDATE_TOO_LARGE',
  'UPDATE_REQUIREMENT_UNMET',
  'UPDATE_NO_BOOT_SPACE',
  'UPDATE_SERVICE_STOP_FAILED',
] as const satisfies readonly ErrorCode[];

export const updateCalls = {
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
  'update.pause': call({
    summary: 'Pause the download; it resumes from where it stopped.',
    scope: 'user',
    input: noInput,
    output: updateStatusSchema,
    errors: ['UPDATE_NOTHING_TO_DO'],
  }),
  'update.resume': call({
    summary: 'Resume a paused download.',
    scope: 'user',
    input: noInput,
    output: updateStatusSchema,
    errors: ['UPDATE_NOTHING_TO_DO'],
  }),
  'update.install': call({
    summary: 'Install the downloaded update into the other slot; it is tried at the next restart.',
    scope: 'user',
    input: noInput,
    output: updateStatusSchema,
    errors: installErrors,
  }),
  'update.restart': call({
    summary: 'Restart into the installed update (its trial boot).',
    scope: 'user',
    input: noInput,
    output: restartingSchema,
    errors: ['UPDATE_NOTHING_TO_DO', 'NOT_SUPPORTED'],
  }),
  'update.rollback': call({
    summary: 'Go back to the system in the other slot, or to a kept older version (reinstalled), and restart.',
    scope: 'user',
    input: z.object({ version: z.string().max(64).optional() }).strict(),
    output: restartingSchema,
    errors: rollbackErrors,
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
} as const;

export const updateEvents = {
  'update.changed': event({
    summary: 'The update status after any change (progress included).',
    scope: 'status',
    payload: updateStatusSchema,
  }),
} as const;
