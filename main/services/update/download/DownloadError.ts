/** Why a download stopped. `retryable` ones resume from the checkpoint on the next attempt. */
export type DownloadErrorCode =
  | 'DOWNLOAD_HTTP_STATUS'
  | 'DOWNLOAD_INTERRUPTED'
  | 'DOWNLOAD_STALLED'
  | 'DOWNLOAD_TOO_LONG'
  | 'DOWNLOAD_CORRUPT'
  | 'DOWNLOAD_DISK_FULL'
  | 'DOWNLOAD_CANCELLED';

export class DownloadError extends Error {
  override name = 'DownloadError';

  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    readonly retryable: boolean,
    /** Seconds the server asked us to wait (Retry-After), if it did. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
