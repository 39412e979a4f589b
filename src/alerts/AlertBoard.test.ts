import { describe, expect, it } from 'vitest';
import type { HealthSnapshot, UpdateOffer, UpdateStatus } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { sampleHealth, sampleUpdateStatus } from '../../test-support/api/samples.js';
import { AlertBoard } from './AlertBoard.js';
import { DEFAULT_ALERT_THRESHOLDS } from './thresholds.js';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, second));
const health = (change: Partial<HealthSnapshot>): HealthSnapshot => ({ ...sampleHealth(), ...change });
const offer = (version: string): UpdateOffer => ({ version, notes: '', downloadBytes: 1, installBytes: 1, kind: 'full' });
const available = (version: string): UpdateStatus => ({ ...sampleUpdateStatus, state: { status: 'available', offer: offer(version) } });

describe('AlertBoard', () => {
  it('shows the alerts most severe first, in plain words, with the action that helps', () => {
    const board = new AlertBoard(DEFAULT_ALERT_THRESHOLDS);
    const change = board.update(
      {
        health: health({ temperatureC: 109, battery: { percent: 14, charging: false } }),
        update: { ...sampleUpdateStatus, state: { status: 'ready-to-reboot', version: '1.1.0' } },
      },
      at(0),
    );
    expect(change.changed).toBe(true);
    expect(change.raised.map((c) => c.id).sort()).toEqual(['battery-low', 'temperature-critical', 'temperature-high', 'update-ready']);
    const { alerts } = board.state();
    // "Getting hot" is covered by "too hot".
    expect(alerts.map((a) => [a.id, a.severity])).toEqual([
      ['temperature-critical', 'critical'],
      ['battery-low', 'warning'],
      ['update-ready', 'info'],
    ]);
    expect(alerts[0]).toMatchObject({
      short: 'Too hot',
      title: 'The headset is too hot',
      message: expect.stringContaining('109\u00a0°C'),
      action: null,
      dismissible: false,
      since: at(0).toISOString(),
    });
    expect(alerts[1]!.message).toMatch(/^14\u00a0% left\. Plug in the charger soon\.$/);
    expect(alerts[2]).toMatchObject({
      title: 'Restart to finish the update',
      action: { kind: 'restart-update', label: 'Restart now' },
      dismissible: true,
    });
  });

  it('says what changed: a new reading changes the words, the same reading changes nothing', () => {
    const board = new AlertBoard(DEFAULT_ALERT_THRESHOLDS);
    board.update({ health: health({ temperatureC: 100 }) }, at(0));
    expect(board.update({ health: health({ temperatureC: 100.2 }) }, at(1))).toEqual({
      raised: [],
      cleared: [],
      changed: false,
      dismissalsChanged: false,
    });
    const hotter = board.update({ health: health({ temperatureC: 103 }) }, at(2));
    expect(hotter).toMatchObject({ raised: [], cleared: [], changed: true });
    expect(board.state().alerts[0]!.message).toContain('103\u00a0°C');
    const cool = board.update({ health: health({ temperatureC: 40 }) }, at(3));
    expect(cool.cleared.map((c) => c.id).sort()).toEqual(['temperature-critical', 'temperature-high']);
    expect(board.state().alerts).toEqual([]);
  });

  it('dismisses update news until it is about something new, and refuses to dismiss a device condition', () => {
    const board = new AlertBoard(DEFAULT_ALERT_THRESHOLDS);
    board.update({ update: available('1.1.0'), health: health({ battery: { percent: 3, charging: false } }) }, at(0));
    expect(board.dismiss('update-available')).toBe(true);
    expect(board.state().alerts.map((a) => a.id)).toEqual(['battery-critical']);
    expect(board.dismissals()).toEqual([['update-available', '1.1.0']]);
    // Dismissing again, or an alert not raised, changes nothing.
    expect(board.dismiss('update-available')).toBe(false);
    expect(board.dismiss('update-ready')).toBe(false);
    let refused: unknown;
    try {
      board.dismiss('battery-critical');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'ALERT_NOT_DISMISSIBLE', details: { id: 'battery-critical' } });
    // A newer version is news again: the dismissal goes.
    const newer = board.update({ update: available('1.2.0') }, at(1));
    expect(newer).toMatchObject({ changed: true, dismissalsChanged: true });
    expect(board.state().alerts.map((a) => a.id)).toContain('update-available');
    expect(board.dismissals()).toEqual([]);
  });

  it('keeps dismissals it is given (from before a restart) while their subject holds, and drops them when it clears', () => {
    const board = new AlertBoard(DEFAULT_ALERT_THRESHOLDS, [['update-available', '1.1.0']]);
    expect(board.update({ update: available('1.1.0') }, at(0))).toMatchObject({
      raised: [expect.objectContaining({ id: 'update-available' })],
      changed: false,
    });
    expect(board.state().alerts).toEqual([]);
    const cleared = board.update({ update: { ...sampleUpdateStatus, state: { status: 'idle' } } }, at(1));
    expect(cleared).toMatchObject({ dismissalsChanged: true, changed: false });
    expect(board.update({ update: available('1.1.0') }, at(2)).changed).toBe(true);
  });

  it('refuses thresholds that would flap', () => {
    const t = DEFAULT_ALERT_THRESHOLDS;
    expect(() => new AlertBoard({ ...t, storageFreePercent: { raiseAt: 10, clearAt: 10 } })).toThrow(/storageFreePercent/);
  });
});
