import { z } from 'zod';
import { slotNameSchema, slotStatusSchema } from '../api/contract/boot.js';
import { healthSnapshotSchema } from '../api/contract/health.js';

/**
 * What a headset reports about itself at each check-in: the same shapes its own API answers
 * (`system.info`, `boot.status`, `health.snapshot`), bounded so one headset cannot fill the database.
 */

const shortText = z.string().min(1).max(64);

/** A group tag: lower-case words the operator groups headsets by (`site:berlin`, `beta`). */
export const groupTagSchema = z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,62}$/, 'lower-case letters, digits and . _ : -, at most 63');

export const inventorySchema = z
  .object({
    model: shortText,
    appVersion: shortText,
    /** Versions of the headset's components (bootloader, firmware, system). */
    components: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}$/), shortText)
      .refine((c) => Object.keys(c).length <= 32, 'at most 32 components'),
    slots: z.object({
      active: slotNameSchema,
      order: z.array(slotNameSchema).max(2),
      list: z.array(slotStatusSchema.extend({ version: z.string().max(64).nullable() })).max(2),
      fellBack: z.boolean(),
    }),
    /** The latest health snapshot; null before the first one. */
    health: healthSnapshotSchema
      .extend({ takenAt: z.string().max(40), disk: healthSnapshotSchema.shape.disk.extend({ path: z.string().max(256) }) })
      .nullable(),
    groupTags: z.array(groupTagSchema).max(16),
  })
  .strict();
export type Inventory = z.infer<typeof inventorySchema>;
