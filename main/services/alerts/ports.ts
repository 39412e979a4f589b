import type { BootStatus, HealthSnapshot, ProcessName, StateSource, UpdateHistoryEntry, UpdateStatus } from '../../../src/api/contract.js';

/** What the alerts read from the capabilities before them: their pushed states and the crash records. */
export interface AlertSources {
  health: StateSource<HealthSnapshot>;
  updates: StateSource<UpdateStatus>;
  boot: StateSource<BootStatus>;
  crashes: CrashHistory;
  /** The update capability's history, read again whenever the update status is pushed (a commit writes an entry). */
  installs?: InstallHistory;
}

/** The update history, newest first. */
export interface InstallHistory {
  history(): Promise<readonly UpdateHistoryEntry[]>;
}

/** The crash records kept on the headset (the logs capability's), read for crash loops. */
export interface CrashHistory {
  list(): Promise<readonly { time: string; process: ProcessName }[]>;
}
