import { z } from 'zod';
import { call, event, noInput } from './common.js';

/**
 * Backup: the wearer's data, by class, to the USB stick, a second local place or the cloud (restic
 * repositories), encrypted with a passphrase the wearer chooses. The passphrase comes with each call
 * that needs it and is held only for that call: never stored, logged or sent back. Every backup is
 * verified after it is made (restic check and a sample restore compared byte for byte) and again on
 * a schedule; restore puts chosen classes back, on this headset or on a freshly reset one.
 */

export const BACKUP_DESTINATIONS = ['usb', 'local', 'cloud'] as const;
export const backupDestinationSchema = z.enum(BACKUP_DESTINATIONS);
export type BackupDestinationKind = z.infer<typeof backupDestinationSchema>;

/** Up to 1024 characters; the service refuses one shorter than 8 (BACKUP_PASSPHRASE_TOO_SHORT). */
const passphraseSchema = z.string().max(1024);
const classIdSchema = z.string().min(1).max(64);
const backupIdSchema = z.string().regex(/^[0-9a-f]{8,64}$/);

export const VERIFICATION_RESULTS = ['ok', 'damaged', 'mismatch'] as const;

export const verificationSchema = z.object({
  at: z.string(),
  result: z.enum(VERIFICATION_RESULTS),
  /** `after-backup`: right after it was made; `scheduled`: the periodic check; `asked`: backup.verify. */
  how: z.enum(['after-backup', 'scheduled', 'asked']),
  /** `all`: every byte of the repository was read back; `subset`: a part of it (see docs/backup.md). */
  readData: z.enum(['all', 'subset']),
  /** Files restored from the backup and compared byte for byte with the headset's. */
  sampleFiles: z.number().int().nonnegative(),
  /** Files whose data a damaged part of the repository holds (paths from the backup's root), at most 50. */
  damagedFiles: z.array(z.string()),
});
export type Verification = z.infer<typeof verificationSchema>;

export const backupRecordSchema = z.object({
  /** restic's short snapshot id (8 hex digits). */
  id: z.string(),
  destination: backupDestinationSchema,
  /** When it was made (ISO 8601). */
  time: z.string(),
  classes: z.array(z.string()),
  /** Bytes of the files it holds, and files. */
  bytes: z.number().nonnegative(),
  files: z.number().int().nonnegative(),
  /** Bytes this backup added to its repository (what was new, compressed). */
  added: z.number().nonnegative(),
  appVersion: z.string(),
  /** The latest verification, or null before any. */
  verified: verificationSchema.nullable(),
});
export type BackupRecord = z.infer<typeof backupRecordSchema>;

const progressSchema = z.object({
  destination: backupDestinationSchema,
  /** What is being done now. */
  phase: z.enum(['preparing', 'copying', 'checking', 'sample-restore', 'cleaning-up', 'restoring', 'putting-back']),
  /** 0..1 of the current phase. */
  fraction: z.number().min(0).max(1),
  bytesDone: z.number().nonnegative(),
  bytesTotal: z.number().nonnegative(),
  filesDone: z.number().int().nonnegative(),
  filesTotal: z.number().int().nonnegative(),
});

export const backupActivitySchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('idle') }),
  progressSchema.extend({ state: z.literal('backing-up') }),
  progressSchema.extend({ state: z.literal('verifying') }),
  progressSchema.extend({ state: z.literal('restoring') }),
]);
export type BackupActivity = z.infer<typeof backupActivitySchema>;

export const backupOutcomeSchema = z.object({
  operation: z.enum(['backup', 'verify', 'restore']),
  destination: backupDestinationSchema,
  at: z.string(),
  /** null: it succeeded; otherwise the error code. */
  error: z.string().nullable(),
});

export const backupOverviewSchema = z.object({
  destinations: z.array(
    z.object({
      kind: backupDestinationSchema,
      /** Whether it is there now (the stick plugged in, the cloud configured). */
      present: z.boolean(),
      /** Whether this headset removes old backups there (not on the append-only cloud: the server does). */
      appliesRetention: z.boolean(),
    }),
  ),
  /** The classes a backup can hold; those backed up by default are chosen when none is named. */
  classes: z.array(z.object({ id: z.string(), title: z.string(), backedUpByDefault: z.boolean() })),
  /** Backups this headset made or restored from, newest first. */
  backups: z.array(backupRecordSchema),
  activity: backupActivitySchema,
  last: backupOutcomeSchema.nullable(),
  /** How often kept backups are read back in full (days). */
  verifyEveryDays: z.number().positive(),
});
export type BackupOverview = z.infer<typeof backupOverviewSchema>;

export const foundBackupSchema = z.object({
  id: z.string(),
  time: z.string(),
  /** The restic host: which headset made it (a device id). */
  madeBy: z.string(),
  model: z.string().nullable(),
  schema: z.number().int().nullable(),
  appVersion: z.string().nullable(),
  classes: z.array(z.string()),
  /** null when this headset may restore it, else why not (BACKUP_OTHER_MODEL, BACKUP_NEWER_SCHEMA, BACKUP_NOT_A_HEADSET_BACKUP). */
  refused: z.string().nullable(),
});
export type FoundBackup = z.infer<typeof foundBackupSchema>;

const BACKUP_FAILURES = [
  'BACKUP_WRONG_PASSPHRASE',
  'BACKUP_DESTINATION_MISSING',
  'BACKUP_DESTINATION_GONE',
  'BACKUP_DESTINATION_UNREACHABLE',
  'BACKUP_IN_PROGRESS',
  'BACKUP_TOOL_FAILED',
] as const;

export const backupCalls = {
  'backup.status': call({
    summary: 'The backup places (present or not), the classes, the backups made (when, size, where, verified) and what runs now.',
    scope: 'status',
    input: noInput,
    output: backupOverviewSchema,
    errors: [],
  }),
  'backup.run': call({
    summary:
      'Backs up the chosen classes (the default ones when none is named) now, verifies the backup, applies retention; progress in backup.changed.',
    scope: 'unlocked',
    input: z
      .object({ destination: backupDestinationSchema, classes: z.array(classIdSchema).max(64).optional(), passphrase: passphraseSchema })
      .strict(),
    output: backupRecordSchema,
    errors: [
      ...BACKUP_FAILURES,
      'BACKUP_PASSPHRASE_TOO_SHORT',
      'BACKUP_DESTINATION_FULL',
      'BACKUP_UNKNOWN_CLASS',
      'BACKUP_NOTHING_SELECTED',
      'BACKUP_REPOSITORY_DAMAGED',
      'BACKUP_SAMPLE_MISMATCH',
    ],
  }),
  'backup.verify': call({
    summary:
      'Reads a backup place back in full and restores a sample compared byte for byte; without a passphrase, with the key this headset keeps for its checks.',
    scope: 'unlocked',
    input: z.object({ destination: backupDestinationSchema, backupId: backupIdSchema.optional(), passphrase: passphraseSchema.optional() }).strict(),
    output: verificationSchema.extend({ backupId: z.string() }),
    errors: [...BACKUP_FAILURES, 'BACKUP_NO_REPOSITORY', 'BACKUP_NOT_FOUND'],
  }),
  'backup.browse': call({
    summary: 'The backups at a place, from any headset (for a restore onto a freshly reset one), and whether this one may restore each.',
    scope: 'unlocked',
    input: z.object({ destination: backupDestinationSchema, passphrase: passphraseSchema }).strict(),
    output: z.array(foundBackupSchema),
    errors: [...BACKUP_FAILURES, 'BACKUP_NO_REPOSITORY'],
  }),
  'backup.restore': call({
    summary:
      'Puts the chosen classes (the backup’s default ones when none is named) back from a backup (the newest when none is named); progress in backup.changed.',
    scope: 'unlocked',
    input: z
      .object({
        destination: backupDestinationSchema,
        backupId: backupIdSchema.optional(),
        classes: z.array(classIdSchema).max(64).optional(),
        passphrase: passphraseSchema,
      })
      .strict(),
    output: z.object({ backupId: z.string(), classes: z.array(z.string()), files: z.number().int().nonnegative(), bytes: z.number().nonnegative() }),
    errors: [
      ...BACKUP_FAILURES,
      'BACKUP_NO_REPOSITORY',
      'BACKUP_NOT_FOUND',
      'BACKUP_NOT_A_HEADSET_BACKUP',
      'BACKUP_OTHER_MODEL',
      'BACKUP_NEWER_SCHEMA',
      'BACKUP_UNKNOWN_CLASS',
      'BACKUP_CLASS_NOT_IN_BACKUP',
      'BACKUP_NOTHING_SELECTED',
      'BACKUP_RESTORE_NO_SPACE',
      'BACKUP_REPOSITORY_DAMAGED',
    ],
  }),
} as const;

export const backupEvents = {
  'backup.changed': event({
    summary: 'The backup overview after every change: progress of a backup, check or restore, a backup made, a place plugged in or out.',
    scope: 'status',
    payload: backupOverviewSchema,
  }),
} as const;
