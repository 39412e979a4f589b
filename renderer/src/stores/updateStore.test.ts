import { describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../../src/api/contract.js';
import { historyMayHaveChanged } from './updateStore.js';

// Only what historyMayHaveChanged reads matters; the rest is filled for the type.
const status = (state: UpdateStatus['state'], current: UpdateStatus['current'] = { slot: 'A', version: '1.0.0' }): UpdateStatus =>
  ({ state, settings: { bandwidthLimitBytesPerSecond: null, allowMetered: false, checkIntervalHours: 6 }, lastCheck: null, current, rollbackTo: null, keptVersions: [] }) as UpdateStatus;
const offer = { version: '1.1.0', notes: '', downloadBytes: 10, installBytes: 10, kind: 'full' as const };

describe('when the Updates screen reloads the history', () => {
  it('loads it with the first status', () => {
    expect(historyMayHaveChanged(undefined, status({ status: 'idle' }))).toBe(true);
  });

  it('not on progress, nor on a state repeated', () => {
    const downloading = (bytes: number) => status({ status: 'downloading', offer, bytes, total: 10, paused: false, waitingFor: null });
    expect(historyMayHaveChanged(downloading(1), downloading(2))).toBe(false);
    expect(historyMayHaveChanged(status({ status: 'idle' }), status({ status: 'checking' }))).toBe(false);
    expect(historyMayHaveChanged(status({ status: 'idle' }), status({ status: 'idle' }))).toBe(false);
  });

  it('when an operation ends, and after a restart into another system', () => {
    expect(historyMayHaveChanged(status({ status: 'installing', offer, bytes: 5, total: 10 }), status({ status: 'failed', error: { code: 'SLOT_VERIFY_FAILED', message: 'x' } }))).toBe(true);
    expect(historyMayHaveChanged(status({ status: 'ready-to-reboot', version: '1.1.0' }), status({ status: 'idle' }, { slot: 'B', version: '1.1.0' }))).toBe(true);
    // A manual rollback from an idle state: only the running system tells.
    expect(historyMayHaveChanged(status({ status: 'idle' }, { slot: 'B', version: '1.1.0' }), status({ status: 'idle' }))).toBe(true);
  });
});
