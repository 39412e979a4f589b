import { z } from 'zod';
import { WIPE_SCOPES } from '../../reset/wipeScopes.js';
import { signedSanitizationRecordSchema } from '../../reset/sanitizationRecord.js';
import { call, event, noInput } from './common.js';

/**
 * Secure wipe and factory reset: one journaled transaction (main/services/reset/ResetTransaction.ts)
 * that destroys the erased classes' keys first, erases their files, restores defaults, verifies,
 * signs a sanitization record, and restarts the headset (into the setup wizard after `everything`).
 * A power cut at any step resumes it at the next start.
 */
export const wipeScopeSchema = z.enum(WIPE_SCOPES);
/** The scopes the headset's own API offers; `decommission` is the operator's (headsetctl). */
export const WEARER_WIPE_SCOPES = ['everything', 'networks', 'wearer', 'logs', 'backups'] as const;

export const RESET_PHASES = ['destroying-keys', 'erasing', 'restoring-defaults', 'verifying', 'restarting'] as const;

const classSummarySchema = z.object({ id: z.string(), title: z.string(), holds: z.string() });

/** What a scope erases and keeps, in plain words, before the wearer confirms. */
export const resetPlanSchema = z.object({
  scope: wipeScopeSchema,
  erases: z.array(classSummarySchema),
  keeps: z.array(classSummarySchema),
  /** The headset restarts once it is done (into the setup wizard after a factory reset). */
  restarts: z.boolean(),
  setupAfter: z.boolean(),
  pinRequired: z.boolean(),
});
export type ResetPlan = z.infer<typeof resetPlanSchema>;

const lastResetSchema = z.object({
  recordId: z.string(),
  scopes: z.array(wipeScopeSchema),
  verification: z.enum(['passed', 'failed']),
  finishedAt: z.string(),
});

/** The reset's whole state (events carry state): idle, or a wipe under way at a phase, or one that failed. */
export const resetStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('idle'), last: lastResetSchema.nullable() }),
  z.object({ status: z.literal('wiping'), scope: wipeScopeSchema, phase: z.enum(RESET_PHASES), startedAt: z.string() }),
  z.object({ status: z.literal('failed'), scope: wipeScopeSchema, phase: z.enum(RESET_PHASES), message: z.string() }),
]);
export type ResetState = z.infer<typeof resetStateSchema>;

/** What a configuration reset did (000 §3.3): defaults restored, PIN and accounts, network, calibration's hash before and after. */
export const configurationReportSchema = z.object({
  restored: z.array(z.object({ id: z.string(), title: z.string(), to: z.enum(['default', 'absent']) })),
  pin: z.enum(['kept', 'removed']),
  accounts: z.enum(['kept', 'removed']),
  network: z.discriminatedUnion('result', [
    /** Saved networks forgotten with their keys; support networks kept (at their defaults). */
    z.object({ result: z.literal('reset'), forgotten: z.number().int().nonnegative(), kept: z.number().int().nonnegative() }),
    z.object({ result: z.literal('not-available'), why: z.string() }),
    /** The network stack failed (an error code of the catalogue); the rest of the reset stands, running it again retries. */
    z.object({ result: z.literal('failed'), code: z.string() }),
  ]),
  calibration: z.object({ before: z.string().nullable(), after: z.string().nullable(), unchanged: z.boolean() }),
});
export type ConfigurationReport = z.infer<typeof configurationReportSchema>;

const imuBiasSchema = z.object({ gyroBias: z.tuple([z.number(), z.number(), z.number()]), at: z.string(), samples: z.number().int() });

/** What a hardware reset found (000 §3.4): each peripheral's step reached, and the IMU's recalibration. */
export const hardwareReportSchema = z.object({
  peripherals: z.array(
    z.object({
      id: z.enum(['imu', 'gps', 'leds', 'display', 'audio']),
      title: z.string(),
      reached: z.enum(['power-cycle', 'initialize', 'verify', 'verified']),
      ok: z.boolean(),
      detail: z.string(),
    }),
  ),
  imu: z.discriminatedUnion('result', [
    z.object({ result: z.literal('stored'), bias: imuBiasSchema, previous: imuBiasSchema.nullable() }),
    z.object({ result: z.literal('refused-moving'), gyroSpread: z.number(), accelSpread: z.number() }),
    z.object({ result: z.literal('skipped') }),
  ]),
  ok: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string(),
});
export type HardwareReport = z.infer<typeof hardwareReportSchema>;

export const resetCalls = {
  'reset.status': call({
    summary: 'The wipe or reset under way, or the last one.',
    scope: 'status',
    input: noInput,
    output: resetStateSchema,
    errors: [],
  }),
  'reset.plan': call({
    summary: 'What a wipe of a scope erases and keeps, in plain words, and whether a PIN will be asked.',
    scope: 'user',
    input: z.object({ scope: z.enum(WEARER_WIPE_SCOPES) }).strict(),
    output: resetPlanSchema,
    errors: [],
  }),
  'reset.wipe': call({
    summary:
      'Erase a scope: keys destroyed first, then the files, defaults, verification and a signed sanitization record; ' +
      'the headset then restarts. Needs `confirm: true`, and the PIN when one is set. Answered once the transaction is journaled.',
    scope: 'unlocked',
    input: z
      .object({
        scope: wipeScopeSchema,
        confirm: z.boolean(),
        pin: z.string().max(64).optional(),
        /** Passes over plaintext files (1 to 3): more than one only means something on magnetic media. */
        overwritePasses: z.number().int().min(1).max(3).optional(),
      })
      .strict(),
    output: resetStateSchema,
    errors: [
      'RESET_CONFIRMATION_REQUIRED',
      'RESET_PIN_REQUIRED',
      'RESET_IN_PROGRESS',
      'RESET_SCOPE_OPERATOR_ONLY',
      'LOCK_WRONG_PIN',
      'LOCK_BACKING_OFF',
    ],
  }),
  'reset.configure': call({
    summary:
      'Configuration reset: the declared defaults restored, network settings reset, the PIN and the accounts removed unless kept; ' +
      'calibration proven unchanged by hash; logged. The headset then restarts so every service reads the defaults. Needs `confirm: true`, and the PIN when one is set.',
    scope: 'unlocked',
    input: z.object({ confirm: z.boolean(), pin: z.string().max(64).optional(), keepPin: z.boolean(), keepAccounts: z.boolean() }).strict(),
    output: configurationReportSchema,
    errors: ['RESET_CONFIRMATION_REQUIRED', 'RESET_PIN_REQUIRED', 'RESET_IN_PROGRESS', 'LOCK_WRONG_PIN', 'LOCK_BACKING_OFF'],
  }),
  'reset.decommission': call({
    summary:
      "Decommissioning (the operator's, through headsetctl; no wearer screen offers it): everything erased as for a factory reset, then the " +
      'device identity after the sanitization record is signed with it, and on linux the LUKS keyslots; the headset restarts as a new device. ' +
      "Needs `confirm: true` and the operator's signed hc-decommission-v1 authorization for this headset (the PIN is not enough).",
    scope: 'user',
    input: z.object({ confirm: z.boolean(), authorization: z.string().max(8192) }).strict(),
    output: resetStateSchema,
    errors: ['RESET_CONFIRMATION_REQUIRED', 'RESET_IN_PROGRESS', 'DECOMMISSION_NOT_CONFIGURED', 'DECOMMISSION_AUTHORIZATION_INVALID'],
  }),
  'reset.hardware': call({
    summary:
      'Hardware reset: every peripheral (IMU, GPS, lights, display, audio) power-cycled, initialized and verified; the IMU recalibrated when asked ' +
      '(refused while the headset moves; the previous bias kept). Answers with the verification report.',
    scope: 'unlocked',
    input: z.object({ recalibrateImu: z.boolean() }).strict(),
    output: hardwareReportSchema,
    errors: ['RESET_IN_PROGRESS', 'NOT_SUPPORTED'],
  }),
  'reset.records': call({
    summary: 'The signed sanitization records of past wipes on this headset, newest first.',
    scope: 'status',
    input: noInput,
    output: z.array(signedSanitizationRecordSchema),
    errors: [],
  }),
} as const;

export const resetEvents = {
  'reset.changed': event({ summary: 'The reset state, whole, at every phase.', scope: 'status', payload: resetStateSchema }),
} as const;
