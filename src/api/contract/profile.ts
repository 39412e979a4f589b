import { z } from 'zod';
import { call, event, noInput } from './common.js';
import { setupLocaleSchema } from './setup.js';

/**
 * The wearer's profile: the name the headset calls them by and the formats dates, times and numbers
 * are written in. Set first by the setup wizard, changed later in Settings, You. Kept in the
 * `profile` user-data class (encrypted at rest, backed up, erased by a factory reset).
 */

/** Up to 64 characters, no control characters; spaces around it are dropped, and an empty name is none. */
export const wearerNameSchema = z
  .string()
  .max(64)
  .regex(/^[^\p{Cc}]*$/u, 'no control characters');

export const wearerProfileSchema = z.object({
  /** The wearer's name, or null when they gave none. */
  wearerName: z.string().nullable(),
  /** The chosen formats, or null for the system's own. */
  locale: setupLocaleSchema.nullable(),
});
export type WearerProfile = z.infer<typeof wearerProfileSchema>;

export const profileCalls = {
  'profile.get': call({
    summary: "The wearer's name and chosen formats.",
    scope: 'status',
    input: noInput,
    output: wearerProfileSchema,
    errors: [],
  }),
  'profile.set': call({
    summary: "Changes the wearer's name and/or formats (null clears one; an absent field stays); written before it answers.",
    scope: 'user',
    input: z.object({ wearerName: wearerNameSchema.nullable().optional(), locale: setupLocaleSchema.nullable().optional() }).strict(),
    output: wearerProfileSchema,
    errors: ['PROFILE_WRITE_FAILED'],
  }),
} as const;

export const profileEvents = {
  'profile.changed': event({ summary: "The wearer's profile after a change.", scope: 'status', payload: wearerProfileSchema }),
} as const;
