import type { BootStatus, HealthSnapshot, ProcessName, StateSource, UpdateStatus } from '../../../src/api/contract.js';

/** What the alerts read from the capabilities before them: their pushed states and the crash records. */
export interface AlertSources {
  health: StateSource<HealthSnapshot>;
  updates: StateSource<UpdateStatus>;
  boot: StateSource<BootStatus>;
  crashes: CrashHistory;
}

/** The crash records kept on the headset (the logs capability's), read for crash loops. */
export interface CrashHistory {
  list(): Promise<readonly { time: string; process: ProcessName }[]>;
}
