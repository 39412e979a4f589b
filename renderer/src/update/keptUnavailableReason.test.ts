import { describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../../src/api/contract.js';
import { keptUnavailableReason } from './keptUnavailableReason.js';

const status = (state: UpdateStatus['state']): UpdateStatus => ({
  state,
  settings: { bandwidthLimitBytesPerSecond: null, allowMetered: false, checkIntervalHours: 6 },
  lastCheck: null,
  current: { slot: 'B', version: '1.3.0' },
  rollbackTo: { slot: 'A', version: '1.2.0' },
  keptVersions: ['1.2.0', '1.1.0'],
});
const offer = { version: '1.4.0', notes: '', downloadBytes: 10, installBytes: 10, kind: 'full' as const };

describe('when a kept version cannot be chosen, and why', () => {
  it('can be chosen when nothing else uses the other slot', () => {
    for (const state of [
      { status: 'idle' },
      { status: 'up-to-date' },
      { status: 'available', offer },
      { status: 'downloading', offer, bytes: 1, total: 10, paused: false, waitingFor: null },
    ] as const) {
      expect(keptUnavailableReason(status(state), undefined, false), state.status).toBeUndefined();
    }
  });

  it('not while an install owns the other slot, or waits for its restart', () => {
    expect(keptUnavailableReason(status({ status: 'installing', offer, bytes: 1, total: 10 }), undefined, false)).toBe(
      'Not now: 1.4.0 is being installed',
    );
    expect(keptUnavailableReason(status({ status: 'ready-to-reboot', version: '1.4.0' }), undefined, false)).toBe(
      'Not now: 1.4.0 waits for its restart',
    );
  });

  it('not while going back to one already', () => {
    expect(keptUnavailableReason(status({ status: 'idle' }), '1.1.0', true)).toBe('Not now: going back to 1.1.0');
    expect(keptUnavailableReason(status({ status: 'idle' }), '1.1.0', false)).toBe('Not now: going back to 1.1.0');
  });
});
