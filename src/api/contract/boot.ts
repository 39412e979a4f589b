import { z } from 'zod';
import { call, event, noInput } from './common.js';

/** Boot: the A/B slots and the boot environment as the bootloader sees them. */

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

export const bootCalls = {
  'boot.status': call({
    summary: 'Active slot, slot versions and the boot environment as the bootloader sees it.',
    scope: 'status',
    input: noInput,
    output: bootStatusSchema,
    errors: [],
  }),
} as const;

export const bootEvents = {
  'boot.changed': event({ summary: 'The boot status after a (simulated) boot.', scope: 'status', payload: bootStatusSchema }),
} as const;
