import { z } from 'zod';
import type { ErrorCode } from './errors.js';

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
});
export type HealthSnapshot = z.infer<typeof healthSnapshotSchema>;

export const systemInfoSchema = z.object({
  product: z.string(),
  appVersion: z.string(),
  commit: z.string(),
  deviceProfile: z.enum(['simulated', 'linux']),
  model: z.string(),
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
    errors: ['UPDATE_IN_PROGRESS', 'UPDATE_NOTHING_TO_DO', 'UPDATE_INCOMPATIBLE', 'UPDATE_NOT_NEWER', 'UPDATE_BELOW_MIN_VERSION', 'UPDATE_REQUIREMENT_UNMET', 'UPDATE_TOO_LARGE', 'SLOT_VERIFY_FAILED', 'BUNDLE_TRUNCATED', 'BUNDLE_MALFORMED', 'BUNDLE_UNSUPPORTED_FORMAT', 'BUNDLE_MANIFEST_TOO_LARGE', 'BUNDLE_UNTRUSTED_KEY', 'BUNDLE_BAD_SIGNATURE', 'BUNDLE_BAD_LAYOUT', 'BUNDLE_PAYLOAD_MISMATCH', 'BUNDLE_TRAILING_DATA'],
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
    errors: ['UPDATE_IN_PROGRESS', 'UPDATE_NOTHING_TO_DO', 'SLOT_VERIFY_FAILED', 'UPDATE_ROLLBACK_NOT_ALLOWED', 'UPDATE_NOT_CONFIGURED', 'UPDATE_CHECK_FAILED', 'NOT_SUPPORTED', 'BUNDLE_UNTRUSTED_KEY', 'BUNDLE_BAD_SIGNATURE', 'BUNDLE_PAYLOAD_MISMATCH', 'BUNDLE_TRUNCATED', 'UPDATE_INCOMPATIBLE', 'UPDATE_TOO_LARGE'],
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

export const apiEvents = {
  'health.changed': event({ summary: 'A new health snapshot.', scope: 'status', payload: healthSnapshotSchema }),
  'boot.changed': event({ summary: 'The boot status after a (simulated) boot.', scope: 'status', payload: bootStatusSchema }),
  'mode.changed': event({ summary: 'The device switched mode.', scope: 'status', payload: modeStateSchema }),
  'update.changed': event({ summary: 'The update status after any change (progress included).', scope: 'status', payload: updateStatusSchema }),
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
