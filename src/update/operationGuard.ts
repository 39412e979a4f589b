import { AppError } from '../api/errors.js';

/** One update operation at a time: a second install (or a rollback during an install) is refused. */
export function assertNoOperationRunning(running: string | undefined): void {
  if (running) throw new AppError('UPDATE_IN_PROGRESS', `An update operation is already running (${running}).`, { running });
}
