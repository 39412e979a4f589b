import { z } from 'zod';
import { call, event, noInput } from './common.js';

/**
 * Guided setup's journal (000 §3.6): the step the first-run wizard is on, how each step ended and what
 * the wearer entered, kept on the headset so a power cut or a restart returns to the same step with
 * the same values. Never a secret: PINs, Wi-Fi passwords and backup passphrases go straight to their
 * own calls and no field here can hold one (the schemas are strict).
 */

export const SETUP_STEPS = ['language', 'network', 'account', 'restore', 'privacy', 'license', 'update', 'done'] as const;
export const setupStepSchema = z.enum(SETUP_STEPS);
export type SetupStep = z.infer<typeof setupStepSchema>;

/**
 * The formats the wizard offers: the UI's words are English only (the renderer has no translations),
 * so the choice is English with one region's date, time and number formats.
 */
export const SETUP_LOCALES = ['en-US', 'en-GB', 'en-IN'] as const;
export const setupLocaleSchema = z.enum(SETUP_LOCALES);
export type SetupLocale = z.infer<typeof setupLocaleSchema>;

export const setupOutcomeSchema = z.enum(['done', 'skipped']);

/** What the wearer entered that is worth keeping across a restart: nothing secret. */
export const setupEnteredSchema = z
  .object({
    locale: setupLocaleSchema.nullable(),
    /** The wearer's name as they want the headset to call them. */
    wearerName: z
      .string()
      .max(64)
      .regex(/^[^\p{Cc}]*$/u, 'no control characters')
      .nullable(),
    /** The Wi-Fi network joined (its name, never its password). */
    networkSsid: z.string().max(32).nullable(),
    /** Where the backup to restore was looked for, which one and which classes (not the passphrase). */
    restorePlace: z.enum(['usb', 'cloud']).nullable(),
    restoreBackupId: z
      .string()
      .regex(/^[0-9a-f]{8,64}$/)
      .nullable(),
    restoreClasses: z.array(z.string().min(1).max(64)).max(64).nullable(),
  })
  .strict();
export type SetupEntered = z.infer<typeof setupEnteredSchema>;

export const setupProgressSchema = z.object({
  step: setupStepSchema,
  /** How each step left so far ended; a step not named was not passed yet. */
  outcomes: z.partialRecord(setupStepSchema, setupOutcomeSchema),
  entered: setupEnteredSchema,
  /** When the journal last changed (ISO 8601); null before the first step was saved. */
  updatedAt: z.string().nullable(),
});
export type SetupProgress = z.infer<typeof setupProgressSchema>;

export const setupCalls = {
  'setup.progress': call({
    summary: 'Where the first-run wizard is: its step, how each step ended, what was entered (nothing secret), the chosen formats.',
    scope: 'status',
    input: noInput,
    output: setupProgressSchema,
    errors: [],
  }),
  'setup.save': call({
    summary: 'Journal the wizard: the step it is on now, how a step ended, what was entered (merged); written before it answers.',
    scope: 'user',
    modes: ['setup'],
    input: z
      .object({
        step: setupStepSchema,
        outcome: z.object({ step: setupStepSchema, result: setupOutcomeSchema }).strict().optional(),
        entered: setupEnteredSchema.partial().optional(),
      })
      .strict(),
    output: setupProgressSchema,
    // The name and formats entered go on to the wearer's profile (profile.set), which may fail to write.
    errors: ['PROFILE_WRITE_FAILED'],
  }),
} as const;

export const setupEvents = {
  'setup.changed': event({ summary: 'The setup journal after every change.', scope: 'status', payload: setupProgressSchema }),
} as const;
