import { AppError } from '../api/errors.js';

/** One update operation at a time: a second install (or a rollback during an install) is refused. */
export function assertNoOperationRunning(running: string | undefined): void {
  if (running) throw new AppError('UPDATE_IN_PROGRESS', `An update operation is already running (${running}).`, { running });
}

/** Updates need a repository address and a trusted root on the device. */
export function assertConfigured<T>(catalog: T | undefined): T {
  if (catalog === undefined) throw new AppError('UPDATE_NOT_CONFIGURED', 'No update repository is configured on this headset.');
  return catalog;
}

/** The action has nothing to act on (no offer, no download, no installed update, no other slot). */
export function nothingToDo(message: string): AppError {
  return new AppError('UPDATE_NOTHING_TO_DO', message);
}

/** The repository could not be reached or its metadata was refused. */
export function checkFailed(reason: string, details?: unknown): AppError {
  return new AppError('UPDATE_CHECK_FAILED', reason, details);
}

/**
 * Going back to an older version is allowed only while the repository's signed metadata still
 * lists that exact bundle: the vendor revokes a version (a security hole) by un-publishing it.
 */
export function assertRollbackAllowed(vouched: boolean, version: string): void {
  if (!vouched)
    throw new AppError('UPDATE_ROLLBACK_NOT_ALLOWED', `The update repository no longer lists version ${version}: going back to it is not allowed.`, {
      version,
    });
}
