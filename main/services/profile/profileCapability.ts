import { join } from 'node:path';
import type { profileCalls, profileEvents } from '../../../src/api/contract/profile.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { ClassKeys } from '../userData/ClassKeys.js';
import { EncryptedClassFiles } from '../userData/EncryptedClassFiles.js';
import type { UserDataRoots } from '../userData/userDataClasses.js';
import { WearerProfileStore, type ProfileChange } from '../../../src/profile/WearerProfileStore.js';

/** In the `profile` class's folder on the data partition: encrypted under its key, backed up, erased by a reset. */
export const wearerProfilePath = (roots: UserDataRoots) => join(roots.data, 'profile', 'wearer.json');

/** What the setup wizard's journal writes through: the name and formats the wearer chose there. */
export interface WearerProfilePort {
  set(change: ProfileChange): Promise<unknown>;
}

/** The wearer's profile (profile.get, profile.set; profile.changed): name and formats. */
export function profileCapability(needs: { roots: UserDataRoots; log: SubsystemLogger }): Capability<WearerProfilePort> {
  const path = wearerProfilePath(needs.roots);
  const files = new EncryptedClassFiles(needs.roots, new ClassKeys(needs.roots));
  const store = new WearerProfileStore({ read: () => files.read('profile', path), write: (data) => files.write('profile', path, data) }, (reason) =>
    needs.log.warn("the wearer's profile could not be read; it counts as empty", { reason }),
  );
  const handlers: HandlersOf<typeof profileCalls> = {
    'profile.get': () => store.current(),
    'profile.set': async (input) => {
      const next = await store.set(input);
      // Whether a name is set, never the name: it is the wearer's.
      needs.log.info("the wearer's profile changed", { named: next.wearerName !== null, locale: next.locale });
      return next;
    },
  };
  const events: EventsOf<typeof profileEvents> = { 'profile.changed': store.state };
  return {
    provides: store,
    handlers,
    events,
    start: async () => {
      await store.current();
    },
  };
}
