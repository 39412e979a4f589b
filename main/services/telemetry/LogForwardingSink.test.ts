import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/logging/logRecord.js';
import { Logger } from '../logging/Logger.js';
import { LogForwardingSink } from './LogForwardingSink.js';

describe('LogForwardingSink', () => {
  it('hands warn and above to telemetry while attached, and nothing once detached (shutdown)', () => {
    const forwarded: LogRecord[] = [];
    const sink = new LogForwardingSink();
    const log = new Logger({ version: '1.0.0', commit: 'c', bootId: 'b' }, [sink], 'debug').for('system');
    log.warn('before attach');
    sink.attach({ forwardLog: (record) => forwarded.push(record) });
    log.info('an info line');
    log.warn('disk nearly full');
    sink.detach();
    log.error('stopping telemetry failed');
    expect(forwarded.map((r) => r.msg)).toEqual(['disk nearly full']);
  });
});
