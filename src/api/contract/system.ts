import { z } from 'zod';
import { call, noInput, poweringOffSchema, restartingSchema } from './common.js';

/** System: liveness, what runs on the headset, restarting it and switching it off. */

export const systemInfoSchema = z.object({
  product: z.string(),
  appVersion: z.string(),
  commit: z.string(),
  /** When this build was made (ISO 8601). */
  builtAt: z.string(),
  deviceProfile: z.enum(['simulated', 'linux']),
  model: z.string(),
  /** The serial number on the headset's label; null where the hardware carries none. */
  serial: z.string().nullable(),
  /** Versions of the headset's components (bootloader, firmware, system): what bundles may require. */
  components: z.record(z.string(), z.string()).optional(),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;

export const systemCalls = {
  'system.ping': call({
    summary: 'Echo a payload back; a no-op used for liveness checks and round-trip measurements.',
    scope: 'status',
    input: z
      .object({
        payload: z
          .string()
          .max(64 * 1024)
          .optional(),
      })
      .strict(),
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
  'system.restart': call({
    summary: 'Restart the headset (the bootloader selects the slot again).',
    scope: 'user',
    input: noInput,
    output: restartingSchema,
    errors: ['NOT_SUPPORTED'],
  }),
  'system.powerOff': call({
    summary: 'Switch the headset off (the simulated headset: headsetd stops; its next start is the power-on).',
    scope: 'user',
    input: noInput,
    output: poweringOffSchema,
    errors: ['NOT_SUPPORTED'],
  }),
} as const;

export const systemEvents = {} as const;
