import { describe, expect, it } from 'vitest';
import { describeLogMessage, levelOf } from './logMessage.js';

describe('electron-log messages as log entries', () => {
  it('joins the arguments into the message; errors and the scope go into fields', () => {
    const error = new RangeError('socket gone');
    const { msg, fields } = describeLogMessage({ data: ['could not reach headsetd', error, { attempt: 3 }], scope: 'bridge' });
    expect(msg).toBe('could not reach headsetd socket gone');
    expect(fields).toMatchObject({ scope: 'bridge', error: 'RangeError: socket gone', attempt: 3 });
    expect(String(fields!.stack)).toContain('logMessage.test');
  });

  it('plain text has no fields; values JSON cannot hold become text', () => {
    expect(describeLogMessage({ data: ['window created'] })).toEqual({ msg: 'window created' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeLogMessage({ data: [[cyclic], 10n] }).msg).toBe('[object Object] 10');
  });

  it('maps electron-log levels onto the log levels', () => {
    expect(['error', 'warn', 'info', 'verbose', 'debug', 'silly'].map((l) => levelOf(l as 'info'))).toEqual([
      'error',
      'warn',
      'info',
      'debug',
      'debug',
      'debug',
    ]);
  });
});
