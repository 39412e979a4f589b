import type { LogWriteEntry } from '../../../src/api/contract.js';
import { LogWriteBudget } from '../../../src/logging/logWriteBudget.js';
import type { CrashRecorder } from './CrashRecorder.js';
import type { Logger } from './Logger.js';

/**
 * Writes what the UI processes log (`logs.write`: the renderer, Electron main) into headsetd's log,
 * under subsystem `ui` with the process named in the fields, within a per-connection budget. A crash
 * entry also gets a crash record for its process, and is accepted even over the entry budget (the
 * last words of a dying renderer matter most), within a budget of its own: a few crashes a minute.
 */
export class UiLogWriter {
  constructor(
    private readonly logger: Logger,
    private readonly crashes: CrashRecorder,
    private readonly budget = new LogWriteBudget(),
    private readonly now: () => number = Date.now,
    // Crash records cost an fsynced file each: a few a minute per connection is all a crashing UI needs.
    private readonly crashBudget = new LogWriteBudget({ burst: 3, perSecond: 3 / 60 }),
  ) {}

  write(input: { process: 'renderer' | 'electron-main'; entries: LogWriteEntry[] }, connection: string): { written: number; crashId: string | null } {
    const crashes = input.entries.filter((entry) => entry.crash).length;
    if (crashes === 0) this.budget.admit(connection, input.entries.length, this.now());
    else this.crashBudget.admit(connection, crashes, this.now());
    let crashId: string | null = null;
    for (const entry of input.entries) {
      const fields: Record<string, unknown> = { ...entry.fields, process: input.process };
      if (entry.time) fields.clientTime = entry.time;
      if (entry.crash) {
        this.logger.log('fatal', 'ui', entry.msg || `${input.process} crashed: ${entry.crash.name}: ${entry.crash.message}`, { ...fields, error: `${entry.crash.name}: ${entry.crash.message}`, stack: entry.crash.stack });
        crashId = this.crashes.recordSync({ process: input.process, error: entry.crash }) ?? crashId;
        continue;
      }
      this.logger.log(entry.level, 'ui', entry.msg, fields);
    }
    return { written: input.entries.length, crashId };
  }
}
