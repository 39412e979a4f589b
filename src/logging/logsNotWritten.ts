import { AppError } from '../api/errors.js';

/** What became of a `logs.write` batch that did not fully reach the device log. */
export interface LogsNotWrittenReport {
  /** Entries in the batch. */
  entries: number;
  /** Lines that never reached the log file. */
  dropped: number;
  /** Lines written but not synced to disk (an error entry's batch must be). */
  unsynced: number;
  /** The crash record written for a crash entry of the batch (records are synced on their own). */
  crashId: string | null;
}

/** LOGS_NOT_WRITTEN for a batch the log did not fully take, in words a caller can act on. */
export function logsNotWrittenError(report: LogsNotWrittenReport): AppError {
  const message =
    report.dropped > 0
      ? `${report.dropped} of the batch's ${report.entries} log lines did not reach the device log (its disk is full, its log file is not writable, or its log buffer is full); the rest were written.`
      : `The batch's ${report.entries} log lines were written, but ${report.unsynced} could not be synced to disk: they would not survive a power cut.`;
  return new AppError('LOGS_NOT_WRITTEN', message, { dropped: report.dropped, unsynced: report.unsynced, crashId: report.crashId });
}
