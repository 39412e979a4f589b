import type { LogWriteEntry } from '../../../src/api/contract.js';
import { levelRank } from '../../../src/logging/logRecord.js';
import { LogWriteBudget } from '../../../src/logging/logWriteBudget.js';
import { logsNotWrittenError } from '../../../src/logging/logsNotWritten.js';
import type { CrashRecorder } from './CrashRecorder.js';
import type { Logger } from './Logger.js';

type UiProcess = 'renderer' | 'electron-main';

/** Entries at this level and above are synced before the answer. */
const ERROR_RANK = levelRank('error');

export interface UiLogWriterOptions {
  /** headsetd's recent log lines (RecentLines): a UI crash record keeps those its process wrote. */
  recentLines?: () => readonly string[];
  budget?: LogWriteBudget;
  now?: () => number;
  // Crash records cost an fsynced file each: a few a minute per connection is all a crashing UI needs.
  crashBudget?: LogWriteBudget;
}

/**
 * Writes what the UI processes log (`logs.write`: the renderer, Electron main) into headsetd's log,
 * under subsystem `ui` with the process named in the fields, within a per-connection budget. A crash
 * entry also gets a crash record for its process, carrying that process's own recent lines (never
 * headsetd's or the other UI process's). Ordinary entries always count against the entry budget,
 * crash entries against a budget of their own (a few crashes a minute): when the entry budget is
 * spent, the crash is still written (the last words of a dying renderer matter most) and the
 * ordinary entries of its batch are left out of the log (counted in the fatal line; kept in the
 * crash record).
 *
 * The answer means the lines are safe: it comes once they reached the kernel (they survive the
 * process dying), and for a batch with an error or fatal entry once they were fdatasync'd too (they
 * survive a power cut). A batch the log did not fully take is answered LOGS_NOT_WRITTEN.
 */
export class UiLogWriter {
  private readonly recentLines: () => readonly string[];
  private readonly budget: LogWriteBudget;
  private readonly now: () => number;
  private readonly crashBudget: LogWriteBudget;

  constructor(
    private readonly logger: Logger,
    private readonly crashes: CrashRecorder,
    options: UiLogWriterOptions = {},
  ) {
    this.recentLines = options.recentLines ?? (() => []);
    this.budget = options.budget ?? new LogWriteBudget();
    this.now = options.now ?? Date.now;
    this.crashBudget = options.crashBudget ?? new LogWriteBudget({ burst: 3, perSecond: 3 / 60 });
  }

  async write(input: { process: UiProcess; entries: LogWriteEntry[] }, connection: string): Promise<{ written: number; crashId: string | null }> {
    const crashes = input.entries.filter((entry) => entry.crash).length;
    const ordinary = input.entries.length - crashes;
    // Crash budget first: refused, nothing is written and no entry budget is spent.
    if (crashes > 0) this.crashBudget.admit(connection, crashes, this.now());
    let overBudget = 0;
    if (ordinary > 0) {
      try {
        this.budget.admit(connection, ordinary, this.now());
      } catch (error) {
        if (crashes === 0) throw error;
        overBudget = ordinary;
      }
    }
    let crashId: string | null = null;
    const droppedLines: string[] = [];
    const since = this.logger.mark();
    let sync = false;
    // What the log keeps: a debug entry below headsetd's level is not written, nor counted as written.
    let written = 0;
    for (const entry of input.entries) {
      const fields: Record<string, unknown> = { ...entry.fields, process: input.process };
      if (entry.time) fields.clientTime = entry.time;
      if (entry.crash) {
        const message = entry.msg || `${input.process} crashed: ${entry.crash.name}: ${entry.crash.message}`;
        // Read before the fatal line is logged: the record has the error itself.
        const recentLines = [...this.linesOf(input.process), ...droppedLines];
        this.logger.log('fatal', 'ui', message, {
          ...fields,
          error: `${entry.crash.name}: ${entry.crash.message}`,
          stack: entry.crash.stack,
          ...(overBudget ? { droppedEntries: overBudget } : {}),
        });
        crashId = this.crashes.recordSync({ process: input.process, error: entry.crash, recentLines }) ?? crashId;
        sync = true;
        written++;
        continue;
      }
      if (overBudget)
        droppedLines.push(
          JSON.stringify({ ...(entry.time ? { time: entry.time } : {}), level: entry.level, subsystem: 'ui', msg: entry.msg, fields }),
        );
      else if (this.logger.enabled(entry.level)) {
        this.logger.log(entry.level, 'ui', entry.msg, fields);
        sync ||= levelRank(entry.level) >= ERROR_RANK;
        written++;
      }
    }
    // Only this batch's lines are waited for, not those logged after it.
    const report = await this.logger.settle(since, { sync });
    if (report.dropped > 0 || report.unsynced > 0)
      throw logsNotWrittenError({ entries: input.entries.length, dropped: report.dropped, unsynced: report.unsynced, crashId });
    return { written, crashId };
  }

  /** The recent lines this UI process wrote (subsystem ui, its name in the fields). */
  private linesOf(process: UiProcess): string[] {
    return this.recentLines().filter((line) => {
      try {
        const record = JSON.parse(line) as { subsystem?: unknown; fields?: { process?: unknown } };
        return record.subsystem === 'ui' && record.fields?.process === process;
      } catch {
        return false;
      }
    });
  }
}
