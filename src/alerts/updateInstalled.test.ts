import { describe, expect, it } from 'vitest';
import type { UpdateHistoryEntry, UpdateStatus } from '../api/contract.js';
import { sampleUpdateStatus } from '../../test-support/api/samples.js';
import { AlertBoard } from './AlertBoard.js';
import { DEFAULT_ALERT_THRESHOLDS } from './thresholds.js';

const FINISHED = '2026-01-01T12:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(FINISHED) + hours * 3_600_000);
const running = (version: string): UpdateStatus => ({ ...sampleUpdateStatus, state: { status: 'idle' }, current: { slot: 'B', version } });
const entry = (version: string, fromVersion: string, outcome: UpdateHistoryEntry['outcome'] = 'committed'): UpdateHistoryEntry => ({
  version,
  fromVersion,
  slot: 'B',
  startedAt: '2026-01-01T11:50:00.000Z',
  finishedAt: FINISHED,
  outcome,
  detail: '',
});

describe('"You are now on …" after an update', () => {
  it('says once which system runs now, after the update committed, until dismissed', () => {
    const board = new AlertBoard(DEFAULT_ALERT_THRESHOLDS);
    board.update({ update: running('1.1.0'), installs: [entry('1.1.0', '1.0.0')] }, at(0.1));
    expect(board.state().alerts).toEqual([
      expect.objectContaining({
        id: 'update-installed',
        severity: 'info',
        short: 'System 1.1.0',
        title: 'You are now on System 1.1.0',
        message: 'The update from System 1.0.0 is finished and the headset started properly.',
        action: null,
        dismissible: true,
      }),
    ]);
    expect(board.dismiss('update-installed')).toBe(true);
    // Another push, a restart: dismissed is dismissed (the dismissal is kept across restarts).
    board.update({ update: running('1.1.0'), installs: [entry('1.1.0', '1.0.0')] }, at(0.2));
    expect(board.state().alerts).toEqual([]);
    expect(
      new AlertBoard(DEFAULT_ALERT_THRESHOLDS, board.dismissals()).update({ update: running('1.1.0'), installs: [entry('1.1.0', '1.0.0')] }, at(1)),
    ).toMatchObject({ changed: false });
  });

  it('goes by itself a day later, and is not about a failed, undone or other version', () => {
    const board = new AlertBoard(DEFAULT_ALERT_THRESHOLDS);
    board.update({ update: running('1.1.0'), installs: [entry('1.1.0', '1.0.0')] }, at(23));
    expect(board.state().alerts.map((a) => a.id)).toEqual(['update-installed']);
    board.update({ update: running('1.1.0'), installs: [entry('1.1.0', '1.0.0')] }, at(25));
    expect(board.state().alerts).toEqual([]);
    for (const installs of [[entry('1.1.0', '1.0.0', 'failed')], [entry('1.1.0', '1.0.0', 'rolled-back')], [entry('1.2.0', '1.1.0')], []]) {
      const fresh = new AlertBoard(DEFAULT_ALERT_THRESHOLDS);
      fresh.update({ update: running('1.1.0'), installs }, at(0.1));
      expect(fresh.state().alerts).toEqual([]);
    }
  });

  it('says "back on" after going back to a kept version', () => {
    const board = new AlertBoard(DEFAULT_ALERT_THRESHOLDS);
    board.update({ update: running('0.9.0'), installs: [entry('0.9.0', '1.1.0'), entry('0.9.0', '1.1.0', 'manual-rollback')] }, at(0.1));
    expect(board.state().alerts[0]).toMatchObject({ title: 'You are back on System 0.9.0' });
  });

  it('says nothing before the history is known', () => {
    const board = new AlertBoard(DEFAULT_ALERT_THRESHOLDS);
    board.update({ update: running('1.1.0') }, at(0.1));
    expect(board.state().alerts).toEqual([]);
  });
});
