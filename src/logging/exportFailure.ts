import { AppError } from '../api/errors.js';

/** The EXPORT_FAILED error for a failed write, told in words the wearer can act on. */
export function exportFailedError(errnoCode: string | undefined): AppError {
  const message = (() => {
    switch (errnoCode) {
      case 'ENOSPC':
        return 'The USB stick is full: free some space on it or use a larger one.';
      case 'EROFS':
      case 'EACCES':
      case 'EPERM':
        return 'The USB stick cannot be written to (it is read-only or write-protected).';
      case 'ENOENT':
      case 'EIO':
      case 'ENODEV':
        return 'The USB stick went away while the export was written.';
      default:
        return 'Writing the export to the USB stick failed.';
    }
  })();
  return new AppError('EXPORT_FAILED', message, { reason: errnoCode ?? 'unknown' });
}
