import type { Verification } from '../api/contract/backup.js';
import { AppError } from '../api/errors.js';

/** The checks the backup service makes before and after its steps, each with the error it raises. */

/** A destination's repository location, or BACKUP_DESTINATION_MISSING when it is not there (no stick, no cloud set up). */
export function requirePresent<T>(destination: string, location: T | undefined): T {
  if (location === undefined) throw new AppError('BACKUP_DESTINATION_MISSING', undefined, { destination });
  return location;
}

/** After a run: BACKUP_DESTINATION_GONE when the destination went away during it. */
export function checkStillThere(destination: string, there: boolean): void {
  if (!there) throw new AppError('BACKUP_DESTINATION_GONE', undefined, { destination });
}

/** One backup, check or restore at a time. */
export function assertIdle(busy: boolean): void {
  if (busy) throw new AppError('BACKUP_IN_PROGRESS');
}

/** A restore lands beside the live data before the swap: all of it must fit. */
export function checkRestoreRoom(needBytes: number, freeBytes: number): void {
  if (needBytes > freeBytes) throw new AppError('BACKUP_RESTORE_NO_SPACE', undefined, { needBytes, freeBytes });
}

/** The error a failed verification right after a backup raises (the backup call fails with it). */
export function verificationFailure(verification: Pick<Verification, 'result' | 'damagedFiles'>): AppError | undefined {
  if (verification.result === 'damaged') return new AppError('BACKUP_REPOSITORY_DAMAGED', undefined, { damagedFiles: verification.damagedFiles });
  if (verification.result === 'mismatch') return new AppError('BACKUP_SAMPLE_MISMATCH', undefined, { files: verification.damagedFiles });
  return undefined;
}
