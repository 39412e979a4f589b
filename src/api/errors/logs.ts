/** Logs: writing entries from the UI, and exporting the log to a removable medium. */
export const logsErrors = {
  EXPORT_NO_MEDIUM: 'No removable medium (USB stick) to export to is plugged in and mounted writable.',
  EXPORT_FAILED: 'Writing the export to the removable medium failed (full, write-protected, or removed); nothing was left behind.',
  LOGS_RATE_LIMITED: 'This connection wrote more log entries than the device accepts per second; the batch was refused, retry later.',
  LOGS_NOT_WRITTEN:
    'Not every entry of the batch is safely in the device log: some never reached it ' +
    '(disk full, log file not writable, log buffer full), or error entries could not be synced to disk.',
} as const;
