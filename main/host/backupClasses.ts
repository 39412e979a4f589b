import { join, relative, isAbsolute } from 'node:path';
import type { BackupClass, BackupClassSource } from '../services/backup/ports.js';
import { CLASS_KEYS_FOLDER, USER_DATA_CLASSES, resolveUserDataClass, type UserDataRoots } from '../services/userData/userDataClasses.js';

/**
 * The data-class registry as backup sees it: each class's locations on the data partition, relative
 * to it, plus its class key file where the profile keeps one there (the simulated headset encrypts
 * profile/ and apps/ with per-class keys: without its key a restored class would be unreadable,
 * above all on a freshly reset headset with new keys). Locations off the data partition (logs
 * elsewhere, the persist partition) are not backed up: calibration and identity never are.
 */
export function backupClassesFromRegistry(roots: UserDataRoots): BackupClassSource {
  const classes: BackupClass[] = USER_DATA_CLASSES.map((cls) => {
    const onData = resolveUserDataClass(cls, roots)
      .map((location) => relative(roots.data, location.path))
      .filter((path) => path !== '' && !path.startsWith('..') && !isAbsolute(path));
    return { id: cls.id, paths: [...onData, join(CLASS_KEYS_FOLDER, `${cls.id}.key`)], backedUpByDefault: cls.backedUpByDefault };
  });
  return { classes: () => classes };
}
