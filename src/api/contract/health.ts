import { z } from 'zod';
import { call, event, noInput } from './common.js';

/** Health: CPU, temperature, memory, disk, battery and GPS, now and over the past week. */

const bytesUsage = z.object({ usedBytes: z.number().nonnegative(), totalBytes: z.number().nonnegative() });

export const healthSnapshotSchema = z.object({
  takenAt: z.string(),
  cpuLoadPercent: z.number().min(0).max(100),
  /** Null where the hardware exposes no reading. */
  temperatureC: z.number().nullable(),
  memory: bytesUsage,
  /** The file system holding the user data. */
  disk: bytesUsage.extend({ path: z.string() }),
  /** Null where the device has no battery. */
  battery: z.object({ percent: z.number().min(0).max(100), charging: z.boolean() }).nullable(),
  /** The GPS receiver; null where the device has none. `timeToLockMs` is of the last acquisition (null before the first). */
  gps: z
    .object({
      timeToLockMs: z.number().nonnegative().nullable(),
      locked: z.boolean(),
      satellites: z.number().int().nonnegative(),
    })
    .nullable(),
});
export type HealthSnapshot = z.infer<typeof healthSnapshotSchema>;

export const healthHistoryQuerySchema = z
  .object({
    /** Only snapshots taken after this time (ISO 8601). */
    since: z.string().datetime({ offset: true }).optional(),
    limit: z.number().int().min(1).max(2000).optional(),
  })
  .strict();

export const healthCalls = {
  'health.snapshot': call({
    summary: 'The latest health snapshot (CPU load, temperature, memory, disk).',
    scope: 'status',
    input: noInput,
    output: healthSnapshotSchema,
    errors: [],
  }),
  'health.history': call({
    summary: 'Past health snapshots (about one a minute, kept a week), oldest first.',
    scope: 'status',
    input: healthHistoryQuerySchema,
    output: z.array(healthSnapshotSchema),
    errors: [],
  }),
} as const;

export const healthEvents = {
  'health.changed': event({ summary: 'A new health snapshot.', scope: 'status', payload: healthSnapshotSchema }),
} as const;
