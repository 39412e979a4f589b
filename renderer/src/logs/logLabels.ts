import type { LogLevel, Subsystem } from '../../../src/logging/logRecord.js';

/** What each part of the headset is called on screen (the log's own names are for engineers). */
export const SUBSYSTEM_LABELS: Record<Subsystem, string> = {
  system: 'System',
  boot: 'Start-up',
  api: 'Service link',
  update: 'Updates',
  identity: 'Device identity',
  health: 'Health',
  ui: 'Interface',
  network: 'Network',
  reset: 'Factory reset',
  backup: 'Backup',
  gps: 'GPS',
  imu: 'Motion sensor',
  led: 'Lights',
  telemetry: 'Data sharing',
  alerts: 'Alerts',
  lock: 'Device lock',
  support: 'Remote support',
  registration: 'Fleet management',
  recovery: 'Recovery',
  license: 'Licence',
  tracks: 'Sessions',
};

/** A subsystem's label; a name the map does not know (an older log) is shown as it is. */
export function subsystemLabel(subsystem: string): string {
  return (SUBSYSTEM_LABELS as Record<string, string>)[subsystem] ?? subsystem;
}

/** Level names for filters and legends (plural: "show me the errors"). */
export const LEVEL_LABELS: Record<LogLevel, string> = { debug: 'Debug', info: 'Info', warn: 'Warnings', error: 'Errors', fatal: 'Crashes' };

/** Level names on one entry's badge (singular). */
export const LEVEL_BADGES: Record<LogLevel, string> = { debug: 'Debug', info: 'Info', warn: 'Warning', error: 'Error', fatal: 'Crash' };

/** How a masked part of a message template is read out: `<num>` stands for "a number". */
export const MASK_WORDS: Record<string, string> = {
  num: 'number',
  path: 'path',
  ip: 'address',
  hex: 'code',
  uuid: 'id',
  url: 'link',
  '*': 'text',
};
