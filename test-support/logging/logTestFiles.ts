import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { formatLogLine, type LogLevel, type LogRecord, type Subsystem } from '../../src/logging/logRecord.js';

/** Builds log folders for the analysis and export tests, in the naming the rotation uses. */
export function entry(time: number, level: LogLevel, subsystem: Subsystem, msg: string, over: Partial<LogRecord> = {}): LogRecord {
  return { time: new Date(time).toISOString(), level, subsystem, msg, version: '1.0.0', commit: 'c0ffee', bootId: 'boot-1', seq: 1, ...over };
}

export function writeLogFolder(dir: string, files: { name: string; records: (LogRecord | string)[] }[]): void {
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const text = file.records.map((r) => (typeof r === 'string' ? `${r}\n` : formatLogLine(r))).join('');
    writeFileSync(join(dir, file.name), file.name.endsWith('.gz') ? gzipSync(text) : text);
  }
}
