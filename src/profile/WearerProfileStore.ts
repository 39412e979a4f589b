import { wearerProfileSchema, type WearerProfile } from '../api/contract/profile.js';
import { StateChannel } from '../api/stateChannel.js';
import { AppError } from '../api/errors.js';

/** Where the profile's bytes go: the `profile` class's encrypted files (EncryptedClassFiles), or plain ones in tests. */
export interface ProfileFile {
  /** The file's bytes, or null when it does not exist; throws when it cannot be read (its class erased). */
  read(): Promise<Uint8Array | null>;
  /** Replaces the file crash-safely (temporary file, fsync, rename, fsync of the folder). */
  write(data: Uint8Array): Promise<void>;
}

export const NO_PROFILE: WearerProfile = { wearerName: null, locale: null };

/** A change: `undefined` leaves a field as it was, `null` clears it. */
export type ProfileChange = { [K in keyof WearerProfile]?: WearerProfile[K] | undefined };

/**
 * The wearer's name and formats in one file. Each change is on disk before it is answered and
 * pushed; one that cannot be written leaves both the file and the pushed state as they were
 * (PROFILE_WRITE_FAILED). Read again on every `current()` so a restore of the profile class (or a
 * wipe) is seen without a restart; an unreadable file counts as no profile.
 */
export class WearerProfileStore {
  readonly state = new StateChannel<WearerProfile>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: ProfileFile,
    private readonly onUnreadable: (reason: string) => void = () => undefined,
  ) {}

  async current(): Promise<WearerProfile> {
    let profile = NO_PROFILE;
    try {
      const bytes = await this.file.read();
      if (bytes) {
        const parsed = wearerProfileSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
        if (parsed.success) profile = parsed.data;
        else this.onUnreadable('does not match the profile format');
      }
    } catch (error) {
      this.onUnreadable(error instanceof Error ? error.message : String(error));
    }
    const before = this.state.current();
    if (!before || before.wearerName !== profile.wearerName || before.locale !== profile.locale) this.state.set(profile);
    return profile;
  }

  set(change: ProfileChange): Promise<WearerProfile> {
    const run = this.queue.then(async () => {
      const before = await this.current();
      const name = change.wearerName === undefined ? before.wearerName : normaliseName(change.wearerName);
      const next: WearerProfile = { wearerName: name, locale: change.locale === undefined ? before.locale : change.locale };
      try {
        await this.file.write(new TextEncoder().encode(JSON.stringify(next)));
      } catch (error) {
        throw new AppError('PROFILE_WRITE_FAILED', undefined, { reason: error instanceof Error ? error.message : String(error) });
      }
      this.state.set(next);
      return next;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Spaces around a name are dropped; an empty one is no name. */
function normaliseName(name: string | null): string | null {
  const trimmed = name?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}
