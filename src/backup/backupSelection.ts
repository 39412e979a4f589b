import { AppError } from '../api/errors.js';

/** A passphrase shorter than this is refused (kept in step with the renderer's hint). */
export const MIN_PASSPHRASE_LENGTH = 8;

export function checkNewPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new AppError('BACKUP_PASSPHRASE_TOO_SHORT', undefined, { minLength: MIN_PASSPHRASE_LENGTH });
  }
}

/**
 * The classes a backup or restore covers: those asked for, each known (and, for a restore, in the
 * backup), or the defaults when none is named. Unknown ids and an empty choice are refused.
 */
export function selectClasses(
  asked: readonly string[] | undefined,
  known: readonly { id: string; backedUpByDefault: boolean }[],
  inBackup?: readonly string[],
): string[] {
  const ids = new Set(known.map((entry) => entry.id));
  const chosen = asked ?? known.filter((entry) => entry.backedUpByDefault && (!inBackup || inBackup.includes(entry.id))).map((entry) => entry.id);
  for (const id of chosen) {
    if (!ids.has(id)) throw new AppError('BACKUP_UNKNOWN_CLASS', undefined, { class: id });
    if (inBackup && !inBackup.includes(id)) throw new AppError('BACKUP_CLASS_NOT_IN_BACKUP', undefined, { class: id, inBackup });
  }
  if (chosen.length === 0) throw new AppError('BACKUP_NOTHING_SELECTED');
  return [...new Set(chosen)];
}
