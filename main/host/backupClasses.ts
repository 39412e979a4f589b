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
  const classes: BackupClass[] = [];
  for (const cls of USER_DATA_CLASSES) {
    if (NOT_OFFERED.has(cls.id)) continue;
    const onData = resolveUserDataClass(cls, roots)
      .map((location) => relative(roots.data, location.path))
      .filter((path) => path !== '' && !path.startsWith('..') && !isAbsolute(path));
    if (onData.length === 0) continue;
    classes.push({
      id: cls.id,
      title: cls.title,
      paths: [...onData, join(CLASS_KEYS_FOLDER, `${cls.id}.key`)],
      backedUpByDefault: cls.backedUpByDefault,
    });
  }
  return { classes: () => classes };
}

/**
 * Classes a backup never offers: the backups themselves and their bookkeeping (a backup inside a backup), the copies kept
 * for undoing an update, the installed system's records (the system's, not the wearer's; restoring
 * them onto another headset would lie about its slots), the telemetry queue (transient, and its
 * pseudonym key must not travel) and the first-run flag (a restored headset still goes through setup).
 */
const NOT_OFFERED = new Set<string>(['backups', 'backup-state', 'update-snapshots', 'system-records', 'telemetry', 'setup']);
