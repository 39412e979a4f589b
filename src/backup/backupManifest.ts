import { AppError } from '../api/errors.js';

/**
 * What a backup says about itself, so a headset can tell whether it may restore it: the model it was
 * made on, the layout of the data (schema), the classes it holds and the app that made it. It travels
 * as restic snapshot tags (encrypted in the repository with the rest of the snapshot), so listing
 * backups reads no file data.
 */
export interface BackupManifest {
  /** The layout of the backed-up data; a headset restores only schemas it knows (this one or older). */
  schema: number;
  model: string;
  appVersion: string;
  /** The user-data classes the backup holds (ids of the data-class registry). */
  classes: string[];
}

/** The schema this software writes and the newest it reads. Raise it when a class's layout changes. */
export const BACKUP_SCHEMA_VERSION = 1;

/** The tag every headset backup carries: a snapshot without it was not made by a headset. */
export const MANIFEST_TAG = 'headset-backup';

const FIELDS = { schema: 'schema=', model: 'model=', appVersion: 'app=', class: 'class=' } as const;

// restic splits --tag on commas; percent-encoding keeps any model name or version one tag.
const encode = (value: string) => encodeURIComponent(value);
const decode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

export function manifestTags(manifest: BackupManifest): string[] {
  return [
    MANIFEST_TAG,
    `${FIELDS.schema}${manifest.schema}`,
    `${FIELDS.model}${encode(manifest.model)}`,
    `${FIELDS.appVersion}${encode(manifest.appVersion)}`,
    ...manifest.classes.map((id) => `${FIELDS.class}${encode(id)}`),
  ];
}

/** The manifest a snapshot's tags carry, or undefined when they carry none (not a headset backup). */
export function manifestFromTags(tags: readonly string[] | undefined): BackupManifest | undefined {
  if (!tags?.includes(MANIFEST_TAG)) return undefined;
  const value = (prefix: string) => tags.find((tag) => tag.startsWith(prefix))?.slice(prefix.length);
  const schema = Number(value(FIELDS.schema));
  const model = value(FIELDS.model);
  const appVersion = value(FIELDS.appVersion);
  if (!Number.isInteger(schema) || schema < 1 || model === undefined || appVersion === undefined) return undefined;
  return {
    schema,
    model: decode(model),
    appVersion: decode(appVersion),
    classes: tags.filter((tag) => tag.startsWith(FIELDS.class)).map((tag) => decode(tag.slice(FIELDS.class.length))),
  };
}

/**
 * Refuses a backup this headset must not restore: none (not a headset backup), another model's
 * (its data, calibration-dependent settings and paths differ), or a newer schema (this software
 * would misread it). An older schema is accepted: this software still reads every schema up to its own.
 */
export function checkRestorable(manifest: BackupManifest | undefined, here: { model: string; schema?: number }): BackupManifest {
  const schema = here.schema ?? BACKUP_SCHEMA_VERSION;
  if (!manifest) throw new AppError('BACKUP_NOT_A_HEADSET_BACKUP');
  if (manifest.model !== here.model) {
    throw new AppError('BACKUP_OTHER_MODEL', undefined, { backupModel: manifest.model, headsetModel: here.model });
  }
  if (manifest.schema > schema) {
    throw new AppError('BACKUP_NEWER_SCHEMA', undefined, { backupSchema: manifest.schema, supportedSchema: schema, madeBy: manifest.appVersion });
  }
  return manifest;
}
