import type { LogLevel, LogMessage } from 'electron-log';
import type { Level } from '../../src/logging/logBatcher.js';

/** electron-log's levels onto ours: verbose and silly are debug detail. */
const LEVELS: Record<LogLevel, Level> = { error: 'error', warn: 'warn', info: 'info', verbose: 'debug', debug: 'debug', silly: 'debug' };

export function levelOf(level: LogLevel): Level {
  return LEVELS[level] ?? 'info';
}

/** electron-log's arguments as one message; errors and plain objects go into fields. */
export function describeLogMessage(message: Pick<LogMessage, 'data' | 'scope'>): { msg: string; fields?: Record<string, unknown> } {
  const fields: Record<string, unknown> = {};
  if (message.scope) fields.scope = message.scope;
  const parts = message.data.map((value: unknown) => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) {
      fields.error = `${value.name}: ${value.message}`;
      if (value.stack) fields.stack = value.stack.slice(0, 2048);
      return value.message;
    }
    // A plain object is structured data: it belongs in the fields, keeping the message a template.
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      Object.assign(fields, value);
      return undefined;
    }
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  });
  return { msg: parts.filter((part) => part !== undefined).join(' '), ...(Object.keys(fields).length > 0 ? { fields } : {}) };
}
