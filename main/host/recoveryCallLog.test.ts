import { describe, expect, it } from 'vitest';
import type { Mode } from '../../src/api/contract.js';
import { recoveryCallLog } from './recoveryCallLog.js';

function lines() {
  const got: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  return {
    got,
    info: (msg: string, fields?: Record<string, unknown>) => got.push({ level: 'info', msg, fields }),
    warn: (msg: string, fields?: Record<string, unknown>) => got.push({ level: 'warn', msg, fields }),
  };
}

describe('recoveryCallLog', () => {
  it('logs the calls done in recovery by name and outcome, not the read-only ones', () => {
    const log = lines();
    const report = recoveryCallLog(() => 'recovery', log);
    report({ name: 'network.connect', scope: 'unlocked', connection: 'web ui', outcome: 'ok' });
    report({ name: 'lock.unlock', scope: 'user', connection: 'web ui', outcome: 'LOCK_WRONG_PIN' });
    report({ name: 'network.overview', scope: 'status', connection: 'web ui', outcome: 'ok' });
    expect(log.got).toEqual([
      { level: 'info', msg: 'in recovery: network.connect done', fields: { call: 'network.connect', connection: 'web ui' } },
      { level: 'warn', msg: 'in recovery: lock.unlock failed', fields: { call: 'lock.unlock', connection: 'web ui', code: 'LOCK_WRONG_PIN' } },
    ]);
  });

  it('logs nothing outside recovery', () => {
    const log = lines();
    let mode: Mode = 'settings';
    const report = recoveryCallLog(() => mode, log);
    report({ name: 'network.connect', scope: 'unlocked', connection: 'web ui', outcome: 'ok' });
    mode = 'setup';
    report({ name: 'backup.restore', scope: 'unlocked', connection: 'web ui', outcome: 'ok' });
    expect(log.got).toEqual([]);
  });
});
