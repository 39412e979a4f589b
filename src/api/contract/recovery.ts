import { z } from 'zod';
import type { ErrorCode } from '../errors.js';
import { call, event, noInput } from './common.js';

/**
 * Recovery installs: a whole new system written into a slot from the recovery system, from the
 * update repository (network recovery) or from a signed bundle on a USB stick (USB recovery).
 * Both go through the update capability's verifier and installer, with the version floor kept.
 */

export const recoverySourceSchema = z.enum(['network', 'usb']);
export type RecoverySource = z.infer<typeof recoverySourceSchema>;

const problemSchema = z.object({ code: z.string(), message: z.string() });

export const recoveryInstallStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('idle') }),
  /** Network recovery: asking the update repository (TUF-verified) for the newest full system. */
  z.object({ status: z.literal('checking'), source: recoverySourceSchema }),
  z.object({ status: z.literal('downloading'), source: recoverySourceSchema, version: z.string(), bytes: z.number(), total: z.number() }),
  /** Verifying and writing the slot; `version` once the signed manifest named it. */
  z.object({
    status: z.literal('installing'),
    source: recoverySourceSchema,
    version: z.string().nullable(),
    slot: z.enum(['A', 'B']),
    bytes: z.number(),
    total: z.number(),
  }),
  /** Written, verified, and the slot made the next boot's trial: a restart starts it. */
  z.object({ status: z.literal('installed'), source: recoverySourceSchema, version: z.string(), slot: z.enum(['A', 'B']) }),
  /** Refused or failed; nothing was switched (a slot half written stays unbootable). */
  z.object({ status: z.literal('failed'), source: recoverySourceSchema, error: problemSchema }),
]);
export type RecoveryInstallState = z.infer<typeof recoveryInstallStateSchema>;

const installErrors: ErrorCode[] = [
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
];

export const recoveryCalls = {
  'recovery.installStatus': call({
    summary: 'What a recovery install is doing, or did last.',
    scope: 'status',
    input: noInput,
    output: recoveryInstallStateSchema,
    errors: [],
  }),
  'recovery.installFromNetwork': call({
    summary:
      'Network recovery: install the newest full system the update repository lists (at or above the version floor) into a slot; answers once it started, progress on recovery.installChanged.',
    scope: 'recovery',
    modes: ['recovery'],
    input: noInput,
    output: recoveryInstallStateSchema,
    errors: ['UPDATE_NOT_CONFIGURED', 'UPDATE_IN_PROGRESS'],
  }),
  'recovery.installFromUsb': call({
    summary:
      'USB recovery: verify and install the one signed bundle (*.hcb) on the USB stick into a slot, the version floor kept; answers once it started, the verdict and progress on recovery.installChanged.',
    scope: 'recovery',
    modes: ['recovery'],
    input: noInput,
    output: recoveryInstallStateSchema,
    errors: ['RECOVERY_NO_STICK', 'RECOVERY_NO_BUNDLE_ON_STICK', 'RECOVERY_SEVERAL_BUNDLES_ON_STICK', 'UPDATE_IN_PROGRESS'],
  }),
} as const;

export const recoveryEvents = {
  'recovery.installChanged': event({ summary: "A recovery install's state changed.", scope: 'status', payload: recoveryInstallStateSchema }),
} as const;

/** The errors a recovery install may end in (its `failed` state), beyond those a call answers at once. */
export const RECOVERY_INSTALL_FAILURES: readonly ErrorCode[] = [
  ...installErrors,
  'RECOVERY_NO_SYSTEM_AVAILABLE',
  'UPDATE_NOT_CONFIGURED',
  'UPDATE_CHECK_FAILED',
  'UPDATE_NO_SPACE',
];
