import { z } from 'zod';
import { call, event, modeSchema, noInput, poweringOffSchema, restartingSchema } from './common.js';

/** Mode: settings, the first-run setup wizard, and recovery. */

export const modeStateSchema = z.object({
  mode: modeSchema,
  /**
   * Why the device is in this mode: `recovery-button` held at power-on; `boot-failed`, the bootloader
   * started recovery because no slot had tries left (the system failed to start); `restart-into-recovery`,
   * the wearer chose "Restart into recovery" in Settings; `reset-pending`, a factory reset was cut
   * short and finishes here.
   */
  reason: z.enum(['requested', 'recovery-button', 'boot-failed', 'restart-into-recovery', 'reset-pending', 'first-run', 'setup-complete', 'default']),
  setupComplete: z.boolean(),
});
export type ModeState = z.infer<typeof modeStateSchema>;

export const modeCalls = {
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
  'mode.restartIntoRecovery': call({
    summary: 'Restart into the recovery system once (the bootloader answers the request at the next boot).',
    scope: 'unlocked',
    modes: ['settings'],
    input: noInput,
    output: restartingSchema,
    errors: ['NOT_SUPPORTED'],
  }),
  'recovery.restart': call({
    summary: "Leave recovery: restart the device through the bootloader's slot selection.",
    scope: 'recovery',
    modes: ['recovery'],
    input: noInput,
    output: restartingSchema,
    errors: ['NOT_SUPPORTED'],
  }),
  'recovery.powerOff': call({
    summary: 'Switch the headset off from recovery.',
    scope: 'recovery',
    modes: ['recovery'],
    input: noInput,
    output: poweringOffSchema,
    errors: ['NOT_SUPPORTED'],
  }),
} as const;

export const modeEvents = {
  'mode.changed': event({ summary: 'The device switched mode.', scope: 'status', payload: modeStateSchema }),
} as const;
