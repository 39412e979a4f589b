import { describe, expect, it } from 'vitest';
import { AppError } from '../api/errors.js';
import { NO_PROFILE, WearerProfileStore, type ProfileFile } from './WearerProfileStore.js';

/** A file in memory whose writes can be made to fail, as a full or read-only disk would. */
function memoryFile(): ProfileFile & { bytes: Uint8Array | null; failWrites: boolean } {
  const file = {
    bytes: null as Uint8Array | null,
    failWrites: false,
    read: async () => file.bytes,
    write: async (data: Uint8Array) => {
      if (file.failWrites) throw new Error('ENOSPC: no space left on device');
      file.bytes = data;
    },
  };
  return file;
}

describe('WearerProfileStore', () => {
  it('starts empty, keeps a change, merges the next, and pushes each', async () => {
    const store = new WearerProfileStore(memoryFile());
    const pushed: unknown[] = [];
    store.state.subscribe((p) => pushed.push(p));
    expect(await store.current()).toEqual(NO_PROFILE);
    await store.set({ wearerName: '  Ada  ', locale: 'en-GB' });
    expect(await store.set({ locale: 'en-IN' })).toEqual({ wearerName: 'Ada', locale: 'en-IN' });
    expect(await store.set({ wearerName: '   ' })).toEqual({ wearerName: null, locale: 'en-IN' });
    expect(pushed.at(-1)).toEqual({ wearerName: null, locale: 'en-IN' });
  });

  it('a write that fails leaves the file and the pushed state as they were, with PROFILE_WRITE_FAILED', async () => {
    const file = memoryFile();
    const store = new WearerProfileStore(file);
    await store.set({ wearerName: 'Ada' });
    file.failWrites = true;
    const error = await store.set({ wearerName: 'Grace' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'PROFILE_WRITE_FAILED', details: { reason: 'ENOSPC: no space left on device' } });
    expect(store.state.current()).toEqual({ wearerName: 'Ada', locale: null });
    expect(await store.current()).toEqual({ wearerName: 'Ada', locale: null });
  });

  it('an unreadable or malformed file counts as no profile, and says so', async () => {
    const reasons: string[] = [];
    const broken: ProfileFile = { read: async () => new TextEncoder().encode('{"wearerName": 7}'), write: async () => undefined };
    expect(await new WearerProfileStore(broken, (r) => reasons.push(r)).current()).toEqual(NO_PROFILE);
    const erased: ProfileFile = {
      read: async () => {
        throw new Error('class profile has no key: it was erased');
      },
      write: async () => undefined,
    };
    expect(await new WearerProfileStore(erased, (r) => reasons.push(r)).current()).toEqual(NO_PROFILE);
    expect(reasons).toEqual(['does not match the profile format', 'class profile has no key: it was erased']);
  });

  it('sees a file replaced behind it (a restore of the profile class) on the next read', async () => {
    const file = memoryFile();
    const store = new WearerProfileStore(file);
    await store.set({ wearerName: 'Ada' });
    file.bytes = new TextEncoder().encode(JSON.stringify({ wearerName: 'Restored', locale: 'en-US' }));
    expect(await store.current()).toEqual({ wearerName: 'Restored', locale: 'en-US' });
    expect(store.state.current()).toEqual({ wearerName: 'Restored', locale: 'en-US' });
  });
});
