import { describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../../src/api/contract.js';
import { furtherBackVersions, historyMayHaveChanged, reinstallPhase } from './updateStore.js';

// Only what historyMayHaveChanged reads matters; the rest is filled for the type.
const status = (state: UpdateStatus['state'], current: UpdateStatus['current'] = { slot: 'A', version: '1.0.0' }): UpdateStatus =>
  ({
    state,
    settings: { bandwidthLimitBytesPerSecond: null, allowMetered: false, checkIntervalHours: 6 },
    lastCheck: null,
    current,
    rollbackTo: null,
    keptVersions: [],
  }) as UpdateStatus;
const offer = { version: '1.1.0', notes: '', downloadBytes: 10, installBytes: 10, kind: 'full' as const };

describe('when the Updates screen reloads the history', () => {
  it('loads it with the first status', () => {
    expect(historyMayHaveChanged(undefined, status({ status: 'idle' }))).toBe(true);
  });

  it('not on progress', () => {
    const downloading = (bytes: number) => status({ status: 'downloading', offer, bytes, total: 10, paused: false, waitingFor: null });
    expect(historyMayHaveChanged(downloading(1), downloading(2))).toBe(false);
    expect(historyMayHaveChanged(status({ status: 'idle' }), status({ status: 'checking' }))).toBe(false);
    expect(historyMayHaveChanged(status({ status: 'idle' }), status({ status: 'installing', offer, bytes: 1, total: 10 }))).toBe(false);
  });

  it('on an idle status repeated: the commit of a trial is recorded after its boot, with no state change', () => {
    expect(
      historyMayHaveChanged(status({ status: 'idle' }, { slot: 'B', version: '1.1.0' }), status({ status: 'idle' }, { slot: 'B', version: '1.1.0' })),
    ).toBe(true);
  });

  it('not on a final status that only brings new settings, nor on kept versions alone', () => {
    const idle = status({ status: 'idle' }, { slot: 'B', version: '1.1.0' });
    expect(historyMayHaveChanged(idle, { ...idle, settings: { ...idle.settings, allowMetered: true } })).toBe(false);
    expect(historyMayHaveChanged(idle, { ...idle, settings: { ...idle.settings, bandwidthLimitBytesPerSecond: 2_000_000 } })).toBe(false);
    // Keeping a bundle comes before its commit is recorded: the unchanged push after the entry tells.
    expect(historyMayHaveChanged(idle, { ...idle, keptVersions: ['1.0.0'] })).toBe(false);
    const failed = status({ status: 'failed', error: { code: 'SLOT_VERIFY_FAILED', message: 'x' } });
    expect(historyMayHaveChanged(failed, { ...failed, settings: { ...failed.settings, checkIntervalHours: 12 } })).toBe(false);
  });

  it('when a check has finished again in the same state', () => {
    const upToDate = status({ status: 'up-to-date' });
    expect(historyMayHaveChanged(upToDate, { ...upToDate, lastCheck: '2026-11-22T10:00:00.000Z' })).toBe(true);
  });

  it('when an operation ends, and after a restart into another system', () => {
    expect(
      historyMayHaveChanged(
        status({ status: 'installing', offer, bytes: 5, total: 10 }),
        status({ status: 'failed', error: { code: 'SLOT_VERIFY_FAILED', message: 'x' } }),
      ),
    ).toBe(true);
    expect(
      historyMayHaveChanged(status({ status: 'ready-to-reboot', version: '1.1.0' }), status({ status: 'idle' }, { slot: 'B', version: '1.1.0' })),
    ).toBe(true);
    // A manual rollback from an idle state: only the running system tells.
    expect(historyMayHaveChanged(status({ status: 'idle' }, { slot: 'B', version: '1.1.0' }), status({ status: 'idle' }))).toBe(true);
  });
});

describe('going back further than the other slot', () => {
  const withKept = (keptVersions: string[], rollbackTo: UpdateStatus['rollbackTo']): UpdateStatus => ({
    ...status({ status: 'idle' }, { slot: 'B', version: '1.3.0' }),
    keptVersions,
    rollbackTo,
  });

  it('offers the kept versions except the one the other slot already holds', () => {
    expect(furtherBackVersions(withKept(['1.2.0', '1.1.0'], { slot: 'A', version: '1.2.0' }))).toEqual(['1.1.0']);
    // The other slot empty or unbootable: every kept version needs a reinstall.
    expect(furtherBackVersions(withKept(['1.2.0', '1.1.0'], null))).toEqual(['1.2.0', '1.1.0']);
    expect(furtherBackVersions(withKept(['1.3.0', '1.2.0'], null))).toEqual(['1.2.0']);
    expect(furtherBackVersions(withKept([], null))).toEqual([]);
  });

  it('keeps the version being gone back to in its place once it is reinstalled into the other slot', () => {
    expect(furtherBackVersions(withKept(['1.2.0', '1.1.0'], { slot: 'A', version: '1.1.0' }))).toEqual(['1.2.0']);
    expect(furtherBackVersions(withKept(['1.2.0', '1.1.0'], { slot: 'A', version: '1.1.0' }), '1.1.0')).toEqual(['1.2.0', '1.1.0']);
  });

  it('tells the reinstall phase from the pushed state', () => {
    const kept = { ...offer, version: '1.1.0' };
    expect(reinstallPhase({ status: 'idle' }, '1.1.0')).toEqual({ phase: 'checking' });
    expect(reinstallPhase({ status: 'installing', offer: kept, bytes: 4, total: 10 }, '1.1.0')).toEqual({ phase: 'installing', bytes: 4, total: 10 });
    // Another version's install is not this reinstall.
    expect(reinstallPhase({ status: 'installing', offer: { ...offer, version: '1.4.0' }, bytes: 4, total: 10 }, '1.1.0')).toEqual({
      phase: 'checking',
    });
    expect(reinstallPhase({ status: 'ready-to-reboot', version: '1.1.0' }, '1.1.0')).toEqual({ phase: 'restarting' });
  });
});
