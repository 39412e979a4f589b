import { join } from 'node:path';
import { z } from 'zod';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';

/**
 * What the registration must not forget across restarts and power cuts: which server it registered
 * with, the device id and public key it registered, what the server last said about that key, and
 * the last check-in it answered. A current key that differs from the journal's (the identity was
 * made anew) means registering again. Public facts only: the journal holds no secret.
 */
export const registrationRecordSchema = z
  .object({
    version: z.literal(1),
    /** The server this record is about (its address is its identity). */
    serverUrl: z.string(),
    deviceId: z.string(),
    publicKey: z.string(),
    status: z.enum(['pending', 'accepted', 'refused']),
    /** When the server first answered a check-in from this key (ISO 8601). */
    acceptedAt: z.string().nullable(),
    lastCheckInAt: z.string().nullable(),
  })
  .strict();
export type RegistrationRecord = z.infer<typeof registrationRecordSchema>;

const JOURNAL_FILE = 'fleet-registration.json';

export class RegistrationJournal {
  private readonly path: string;

  constructor(stateDir: string) {
    this.path = join(stateDir, JOURNAL_FILE);
  }

  /** The record, or undefined when there is none or it cannot be read (registering again is always safe). */
  async load(): Promise<{ record: RegistrationRecord | undefined; unreadable: boolean }> {
    let raw: unknown;
    try {
      raw = await readJsonIfExists<unknown>(this.path);
    } catch {
      return { record: undefined, unreadable: true };
    }
    if (raw === undefined) return { record: undefined, unreadable: false };
    const parsed = registrationRecordSchema.safeParse(raw);
    return parsed.success ? { record: parsed.data, unreadable: false } : { record: undefined, unreadable: true };
  }

  /** Written temp, fsync, rename, fsync of the folder: a power cut leaves the old record or the new. */
  async save(record: RegistrationRecord): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
  }
}
