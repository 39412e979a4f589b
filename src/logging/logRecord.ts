/**
 * One structured log entry, the same shape from every process (headsetd, Electron main, the
 * renderer through the API). Every entry carries the build and the boot it came from, and a
 * sequence number, so entries from one boot order exactly and gaps show losses.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SUBSYSTEMS = [
  'system',
  'boot',
  'api',
  'update',
  'identity',
  'health',
  'ui',
  'network',
  'reset',
  'backup',
  'gps',
  'imu',
  'led',
  'telemetry',
  'alerts',
  'lock',
  'support',
  'registration',
  // What was done in the recovery system: entering it and why, its installs, leaving it.
  'recovery',
  // Licences installed or refused, revocation lists fetched, the clock seen set back.
  'license',
  // Sessions started and ended, tracks learned and recognised (never a position).
  'tracks',
] as const;
export type Subsystem = (typeof SUBSYSTEMS)[number];

export interface LogRecord {
  time: string;
  level: LogLevel;
  subsystem: Subsystem;
  msg: string;
  version: string;
  commit: string;
  bootId: string;
  seq: number;
  fields?: Record<string, unknown>;
}

export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

/** One JSON line; values JSON cannot hold (bigint, cycles) are turned into text, never thrown. */
export function formatLogLine(record: LogRecord): string {
  try {
    return `${JSON.stringify(record)}\n`;
  } catch {
    return `${JSON.stringify({ ...record, fields: { unserializable: String(record.fields) } })}\n`;
  }
}
