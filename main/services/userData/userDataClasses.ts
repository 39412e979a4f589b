import { isAbsolute, join, relative, sep } from 'node:path';
import { WIPE_SCOPES, type WipeScope } from '../../../src/reset/wipeScopes.js';

export { WIPE_SCOPES, type WipeScope };

/**
 * The declared registry of user data: every file the headset keeps on its data partition belongs to
 * exactly one class (userDataClasses.test.ts starts a headset and checks it), and each class says
 * whether a backup takes it by default and which wipe scopes erase it. Backup, secure wipe and the
 * reset transaction read this table; nothing else decides what a scope erases.
 *
 * Where a class lives is named by a root and a path under it, because the profiles place some
 * stores differently (the linux profile keeps its logs in /var/log/headset): `data` and `persist`
 * are the two partitions, `state` is headsetd's own folder on the data partition, `logs`, `crashes`
 * and `minidumps` are the log stores. A path ending in `/` (or empty) is a folder and all it holds.
 */

/** Where a class's paths are resolved from (the device profile's paths supply each). */
export const USER_DATA_ROOTS = ['data', 'persist', 'state', 'logs', 'crashes', 'minidumps'] as const;
export type UserDataRoot = (typeof USER_DATA_ROOTS)[number];
export type UserDataRoots = Record<UserDataRoot, string>;

/** `low`: nothing about the wearer; `personal`: about the wearer; `secret`: credentials or keys. */
export type Sensitivity = 'low' | 'personal' | 'secret';

export interface UserDataLocation {
  in: UserDataRoot;
  /** Relative to its root; `''` or a trailing `/` is a folder with everything in it. */
  path: string;
}

export interface UserDataClass {
  id: string;
  /** Plain words, as the wearer reads them on the reset screen and in the sanitization record. */
  title: string;
  /** What it holds, in plain words. */
  holds: string;
  locations: readonly UserDataLocation[];
  sensitivity: Sensitivity;
  backedUpByDefault: boolean;
  /** The wipe scopes that erase it; empty: no wipe ever does (calibration). */
  erasedBy: readonly WipeScope[];
}

const data = (path: string): UserDataLocation => ({ in: 'data', path });
const state = (path: string): UserDataLocation => ({ in: 'state', path });
const persist = (path: string): UserDataLocation => ({ in: 'persist', path });

/** Every scope that erases the wearer's own things also erases them on a factory reset and on decommissioning. */
const WEARER: readonly WipeScope[] = ['everything', 'wearer', 'decommission'];

export const USER_DATA_CLASSES = [
  {
    id: 'profile',
    title: 'Profile and preferences',
    holds: "The wearer's profile (name, picture, comfort and display settings), update preferences and notices already dismissed.",
    locations: [data('profile/'), state('update-settings.json'), state('alerts-dismissed.json')],
    sensitivity: 'personal',
    backedUpByDefault: true,
    erasedBy: WEARER,
  },
  {
    id: 'pin',
    title: 'Screen lock PIN',
    holds: 'The PIN that guards network changes, wipes and support mode (kept only as an Argon2id hash), and the count of wrong tries.',
    locations: [state('lock.json')],
    sensitivity: 'secret',
    backedUpByDefault: false,
    erasedBy: WEARER,
  },
  {
    id: 'privacy',
    title: 'Privacy choices',
    holds: 'Which kinds of telemetry the wearer allowed, and the version of the policy they agreed to.',
    locations: [state('privacy-consent.json')],
    sensitivity: 'personal',
    backedUpByDefault: true,
    erasedBy: WEARER,
  },
  {
    id: 'networks',
    title: 'Saved networks',
    holds: 'The Wi-Fi networks the headset joins by itself, with their passwords and certificates.',
    locations: [data('network/')],
    sensitivity: 'secret',
    backedUpByDefault: true,
    erasedBy: ['everything', 'networks', 'decommission'],
  },
  {
    id: 'apps',
    title: 'App data',
    holds: 'What the apps on the headset keep: saves, downloads, their own settings.',
    locations: [data('apps/')],
    sensitivity: 'personal',
    backedUpByDefault: true,
    erasedBy: WEARER,
  },
  {
    id: 'location',
    title: 'Last known position',
    holds: "The GPS receiver's almanac and its last position fix, which says where the headset last was.",
    locations: [state('gps.json')],
    sensitivity: 'personal',
    backedUpByDefault: false,
    erasedBy: WEARER,
  },
  {
    id: 'tracks',
    title: 'Tracks',
    holds:
      "The circuits the headset learned from its GPS: each one's shape and where it is (its centreline), its start/finish and sector lines, and the name the wearer gave it.",
    locations: [data('tracks/')],
    sensitivity: 'personal',
    backedUpByDefault: true,
    erasedBy: WEARER,
  },
  {
    id: 'sessions',
    title: 'Driving sessions',
    holds: "The sessions driven on those circuits: when, on which track, each lap's and sector's time, pit stops (no positions).",
    locations: [data('sessions/')],
    sensitivity: 'personal',
    backedUpByDefault: true,
    erasedBy: WEARER,
  },
  {
    id: 'setup',
    title: 'First-run setup',
    holds:
      "Whether the first-run setup was finished (without it the headset starts in the setup wizard), and its journal: the step it is on, the wearer's name, the date and number formats, the network joined and the backup chosen (never a PIN, password or passphrase).",
    locations: [state('setup.json'), state('setup-journal.json')],
    sensitivity: 'personal',
    backedUpByDefault: false,
    erasedBy: ['everything', 'decommission'],
  },
  {
    id: 'logs',
    title: 'Logs and crash records',
    holds: "The headset's logs, crash records, the UI's crash dumps and the health history (temperature, battery, storage over the last days).",
    // On linux the UI's own Crashpad database is its account's, beyond headsetd's reach: the profile's
    // deviceErase empties it through headset-crashdumps-erase.service (CrashDatabaseErase.ts).
    locations: [{ in: 'logs', path: '' }, { in: 'crashes', path: '' }, { in: 'minidumps', path: '' }, state('health-history.jsonl')],
    sensitivity: 'personal',
    backedUpByDefault: false,
    erasedBy: ['everything', 'logs', 'decommission'],
  },
  {
    id: 'telemetry',
    title: 'Telemetry waiting to be sent',
    holds:
      'Anonymized measurements queued for sending, the key of the weekly pseudonymous device id, the signing keys of past weeks whose records still wait, and what was already reported.',
    locations: [state('telemetry-outbox/'), state('telemetry-id.key'), state('telemetry-retired-signing/'), state('telemetry-update-cursor.json')],
    sensitivity: 'personal',
    backedUpByDefault: false,
    erasedBy: ['everything', 'logs', 'decommission'],
  },
  {
    id: 'backups',
    title: 'Backups kept on the headset',
    holds: 'Encrypted backups of the classes above kept on the headset itself (a second local location).',
    locations: [data('backups/')],
    sensitivity: 'secret',
    backedUpByDefault: false,
    erasedBy: ['everything', 'backups', 'decommission'],
  },
  {
    id: 'backup-state',
    title: 'Backup bookkeeping',
    holds:
      "The list of backups made and where, the keys this headset added to its backups to check them without the wearer's passphrase, restic's cache, the cloud place, and a restore under way.",
    locations: [state('backup/')],
    sensitivity: 'secret',
    backedUpByDefault: false,
    // Its keys open the backups' contents on the stick and in the cloud: gone with the backups, and on a factory reset.
    erasedBy: ['everything', 'backups', 'decommission'],
  },
  {
    id: 'update-snapshots',
    title: 'Data kept for undoing an update',
    holds:
      "A copy of the data partition's own folders (profile, apps, networks, backups, crash dumps) taken before an update, given back if the update is undone.",
    locations: [state('snapshots/')],
    sensitivity: 'secret',
    backedUpByDefault: false,
    // It copies classes of every scope: erased with any of them. Class keys are never copied into it,
    // so an encrypted class's copies there are crypto-erased with the class itself.
    erasedBy: WIPE_SCOPES,
  },
  {
    id: 'system-records',
    title: "The installed system's records",
    holds:
      'Which version is in which slot, the boot count, an update in progress, update history and downloads, the update, telemetry and fleet servers, the registration with the fleet server, the remote-support relay and a support session under way.',
    locations: [
      state('slots.json'),
      state('boot-count.json'),
      state('install.json'),
      state('update-history.json'),
      state('update-offer.json'),
      state('update-last-check.json'),
      state('update-config.json'),
      state('telemetry-config.json'),
      state('fleet-config.json'),
      state('fleet-registration.json'),
      state('support-relay.json'),
      state('support-session.json'),
      state('tuf/'),
      state('update-cache/'),
      state('kept-bundles/'),
    ],
    sensitivity: 'low',
    backedUpByDefault: false,
    // Not the wearer's: a reset keeps the installed system as it is.
    erasedBy: ['decommission'],
  },
  {
    id: 'license',
    title: 'Licence',
    holds:
      "The headset's licence file as issued, the last signed revocation list, and the high-water mark of trusted times that keeps a clock set back from extending the licence.",
    locations: [state('license/')],
    sensitivity: 'low',
    backedUpByDefault: false,
    // It belongs to the headset, not the wearer: a reset keeps it (and the time mark with it); a decommission ends it.
    erasedBy: ['decommission'],
  },
  {
    id: 'calibration',
    title: 'Calibration',
    holds: "The factory's sensor and display calibration, and the IMU's bias; it belongs to the hardware.",
    locations: [persist('calibration/')],
    sensitivity: 'low',
    backedUpByDefault: false,
    erasedBy: [],
  },
  {
    id: 'identity',
    title: 'Device identity',
    holds: "The headset's device id and its Ed25519 key, by which the fleet server knows it.",
    locations: [persist('identity/')],
    sensitivity: 'secret',
    backedUpByDefault: false,
    erasedBy: ['decommission'],
  },
  {
    id: 'reset-records',
    title: 'Reset journal and sanitization records',
    holds: 'The journal of a reset under way and the signed records of past wipes (what, when, how, verified).',
    locations: [persist('reset/')],
    sensitivity: 'low',
    backedUpByDefault: false,
    erasedBy: [],
  },
] as const satisfies readonly UserDataClass[];

export type UserDataClassId = (typeof USER_DATA_CLASSES)[number]['id'];
export const USER_DATA_CLASS_IDS = USER_DATA_CLASSES.map((c) => c.id) as readonly UserDataClassId[];

export function userDataClass(id: UserDataClassId): UserDataClass {
  const found = USER_DATA_CLASSES.find((c) => c.id === id);
  if (!found) throw new Error(`unknown user data class ${id}`);
  return found;
}

/** The classes a scope erases, in the registry's order. */
export function classesErasedBy(scope: WipeScope): UserDataClass[] {
  return USER_DATA_CLASSES.filter((c) => (c.erasedBy as readonly WipeScope[]).includes(scope));
}

/** The device profile's paths a class is resolved against (DeviceProfile.paths has each). */
export function userDataRootsOf(paths: {
  dataPartition: string;
  persistPartition: string;
  stateDir: string;
  logDir: string;
  crashesDir: string;
  minidumpDir: string;
}): UserDataRoots {
  return {
    data: paths.dataPartition,
    persist: paths.persistPartition,
    state: paths.stateDir,
    logs: paths.logDir,
    crashes: paths.crashesDir,
    minidumps: paths.minidumpDir,
  };
}

export interface ResolvedLocation {
  /** Absolute. */
  path: string;
  /** A folder and everything in it, or one file. */
  folder: boolean;
}

/** Where a class's data is on this device: absolute paths, folders marked. */
export function resolveUserDataClass(cls: UserDataClass, roots: UserDataRoots): ResolvedLocation[] {
  return cls.locations.map((location) => {
    const folder = location.path === '' || location.path.endsWith('/');
    const path = join(roots[location.in], location.path);
    return { path: folder && path.endsWith(sep) ? path.slice(0, -1) : path, folder };
  });
}

/** The folder on the data partition holding each class's key (`<id>.key`): destroying one erases its class. */
export const CLASS_KEYS_FOLDER = 'keys';

export function classKeyPath(id: string, roots: UserDataRoots): string {
  return join(roots.data, CLASS_KEYS_FOLDER, `${id}.key`);
}

/** The class an absolute path belongs to (its own files, or its key), or undefined when no class declares it. */
export function classOfPath(path: string, roots: UserDataRoots): UserDataClass | undefined {
  return USER_DATA_CLASSES.find(
    (cls) => path === classKeyPath(cls.id, roots) || resolveUserDataClass(cls, roots).some((location) => covers(location, path)),
  );
}

export function covers(location: ResolvedLocation, path: string): boolean {
  if (!location.folder) return path === location.path;
  const rel = relative(location.path, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
