import type { Subsystem } from '../../src/logging/logRecord.js';
import { Logger, type SubsystemLogger } from '../../main/services/logging/Logger.js';

/** A subsystem's logger whose entries' messages land in `lines` (tests read what a service said). */
export function capturedLog(lines: string[], subsystem: Subsystem = 'update'): SubsystemLogger {
  const logger = new Logger({ version: 'test', commit: 'test', bootId: '' }, [
    { append: (line) => lines.push((JSON.parse(line) as { msg: string }).msg) },
  ]);
  return logger.for(subsystem);
}
