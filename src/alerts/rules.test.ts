import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertId, HealthSnapshot, UpdateOffer, UpdateState, UpdateStatus } from '../api/contract.js';
import { sampleBoot, sampleHealth, sampleUpdateStatus } from '../../test-support/api/samples.js';
import { evaluateConditions, type AlertFacts, type Condition } from './rules.js';
import { DEFAULT_ALERT_THRESHOLDS as T, checkAlertThresholds } from './thresholds.js';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, second));
const health = (change: Partial<HealthSnapshot>): HealthSnapshot => ({ ...sampleHealth(), ...change });
const hot = (temperatureC: number) => health({ temperatureC });
const battery = (percent: number, charging = false) => health({ battery: { percent, charging } });
const update = (state: UpdateState): UpdateStatus => ({ ...sampleUpdateStatus, state });
const offer: UpdateOffer = { version: '1.1.0', notes: '', downloadBytes: 4_000_000, installBytes: 8_000_000, kind: 'full' };

/** Runs the facts through the rules one after another, as headsetd does; the raised ids after each. */
function run(steps: AlertFacts[]): { ids: AlertId[][]; last: Map<AlertId, Condition> } {
  let raised = new Map<AlertId, Condition>();
  const ids: AlertId[][] = [];
  steps.forEach((facts, i) => {
    raised = evaluateConditions(raised, facts, T, at(i));
    ids.push([...raised.keys()].sort());
  });
  return { ids, last: raised };
}

describe('alert rules: temperature', () => {
  it('raises "too hot" at 109 °C, with "getting hot" under it, and keeps its first time while it goes on', () => {
    const { ids, last } = run([{ health: hot(41) }, { health: hot(109) }, { health: hot(104) }]);
    expect(ids).toEqual([[], ['temperature-critical', 'temperature-high'], ['temperature-critical', 'temperature-high']]);
    expect(last.get('temperature-critical')).toEqual({
      id: 'temperature-critical',
      since: at(1).toISOString(),
      subject: '',
      detail: { celsius: 104 },
    });
  });

  it('holds between the clear and the raise threshold, and clears only below the clear threshold', () => {
    const critical = T.temperature.critical;
    const { ids } = run([
      { health: hot(critical.raiseAt) },
      { health: hot(critical.clearBelow + 0.1) },
      { health: hot(critical.clearBelow) },
      { health: hot(critical.clearBelow - 0.1) },
    ]);
    expect(ids.map((i) => i.includes('temperature-critical'))).toEqual([true, true, true, false]);
    // Just under the raise threshold never raises it.
    expect(run([{ health: hot(critical.raiseAt - 0.1) }]).ids[0]).not.toContain('temperature-critical');
  });

  it('does not flap at the edge: a reading wobbling around the raise threshold raises once', () => {
    const { raiseAt } = T.temperature.critical;
    const wobble = [raiseAt, raiseAt - 0.5, raiseAt + 0.2, raiseAt - 1, raiseAt, raiseAt - 2].map((c) => ({ health: hot(c) }));
    const { ids } = run(wobble);
    expect(ids.every((i) => i.includes('temperature-critical'))).toBe(true);
  });

  it('property: a raise after a clear, and every clear, come only after a reading below the clear threshold', () => {
    const level = T.temperature.high;
    fc.assert(
      fc.property(fc.array(fc.double({ min: 60, max: 100, noNaN: true }), { maxLength: 60 }), (readings) => {
        let raised = new Map<AlertId, Condition>();
        let belowClearSinceRaise = true;
        readings.forEach((celsius, i) => {
          const was = raised.has('temperature-high');
          raised = evaluateConditions(raised, { health: hot(celsius) }, T, at(i));
          const is = raised.has('temperature-high');
          if (!was && is) {
            expect(belowClearSinceRaise).toBe(true);
            expect(celsius).toBeGreaterThanOrEqual(level.raiseAt);
            belowClearSinceRaise = false;
          }
          if (was && !is) expect(celsius).toBeLessThan(level.clearBelow);
          if (celsius < level.clearBelow) belowClearSinceRaise = true;
        });
      }),
    );
  });

  it('a headset without a temperature sensor raises nothing; unknown health leaves the alerts as they are', () => {
    expect(run([{ health: hot(109) }, { health: health({ temperatureC: null }) }]).ids[1]).toEqual([]);
    expect(run([{ health: hot(109) }, {}]).ids[1]).toEqual(['temperature-critical', 'temperature-high']);
  });
});

describe('alert rules: battery and storage', () => {
  it('raises low at 15 % and critical at 0–5 %, clears each above its own margin', () => {
    const { ids } = run(
      [battery(40), battery(15), battery(4), battery(0), battery(7), battery(8), battery(19), battery(20)].map((h) => ({ health: h })),
    );
    expect(ids).toEqual([
      [],
      ['battery-low'],
      ['battery-critical', 'battery-low'],
      ['battery-critical', 'battery-low'],
      ['battery-critical', 'battery-low'], // 7 %: still under critical's clear threshold (8 %)
      ['battery-low'],
      ['battery-low'],
      [],
    ]);
  });

  it('raises nothing while the battery charges, and raises again when unplugged low', () => {
    const { ids } = run([{ health: battery(3) }, { health: battery(3, true) }, { health: battery(4) }]);
    expect(ids).toEqual([['battery-critical', 'battery-low'], [], ['battery-critical', 'battery-low']]);
    expect(run([{ health: health({ battery: null }) }]).ids[0]).toEqual([]);
  });

  it('raises storage low at 10 % free and clears at 15 %', () => {
    const disk = (freePercent: number) => health({ disk: { usedBytes: 100e9 - freePercent * 1e9, totalBytes: 100e9, path: '/data' } });
    const { ids, last } = run([disk(11), disk(10), disk(14), disk(15)].map((h) => ({ health: h })));
    expect(ids.map((i) => i.includes('storage-low'))).toEqual([false, true, true, false]);
    const again = run([{ health: disk(4.2) }]).last.get('storage-low');
    expect(again?.detail).toEqual({ freeBytes: 4.2e9, freePercent: expect.closeTo(4.2, 5) });
    expect(last.size).toBe(0);
  });
});

describe('alert rules: crash loop', () => {
  const crash = (second: number, process: 'headsetd' | 'renderer' = 'headsetd') => ({ time: at(second).toISOString(), process });

  it('raises at 3 crashes within 10 minutes, names the process that crashes most, and clears after a quiet window', () => {
    const crashes = [crash(0, 'renderer'), crash(10), crash(20)];
    const raised = evaluateConditions(new Map(), { crashes }, T, at(30));
    expect(raised.get('crash-loop')?.detail).toEqual({ count: 3, windowMinutes: 10, process: 'headsetd' });
    // Two crashes never raise it.
    expect(evaluateConditions(new Map(), { crashes: crashes.slice(1) }, T, at(30)).has('crash-loop')).toBe(false);
    // Once raised, one crash in the window holds it; a window without one clears it.
    const later = new Date(at(10).getTime() + 10 * 60_000); // the crashes at 0 s and 10 s have left the window
    expect(evaluateConditions(raised, { crashes }, T, later).get('crash-loop')?.detail).toMatchObject({ count: 1 });
    const quiet = new Date(at(20).getTime() + 10 * 60_000 + 1);
    expect(evaluateConditions(raised, { crashes }, T, quiet).has('crash-loop')).toBe(false);
  });

  it('three crashes spread over more than the window are no loop', () => {
    const spread = [crash(0), { time: new Date(at(0).getTime() + 6 * 60_000).toISOString(), process: 'headsetd' as const }];
    const third = { time: new Date(at(0).getTime() + 12 * 60_000).toISOString(), process: 'headsetd' as const };
    expect(evaluateConditions(new Map(), { crashes: [...spread, third] }, T, new Date(Date.parse(third.time))).has('crash-loop')).toBe(false);
  });
});

describe('alert rules: updates', () => {
  it('tells of an update available, downloaded, then ready to restart, each about its version', () => {
    const { ids, last } = run([
      { update: update({ status: 'available', offer }) },
      { update: update({ status: 'downloaded', offer }) },
      { update: update({ status: 'installing', offer, bytes: 1, total: 2 }) },
      { update: update({ status: 'ready-to-reboot', version: '1.1.0' }) },
    ]);
    expect(ids).toEqual([['update-available'], ['update-available'], [], ['update-ready']]);
    expect(last.get('update-ready')).toMatchObject({ subject: '1.1.0', detail: { version: '1.1.0' } });
  });

  it('a newer offer is a new raise; downloading it is the same one', () => {
    let raised = evaluateConditions(new Map(), { update: update({ status: 'available', offer }) }, T, at(0));
    raised = evaluateConditions(raised, { update: update({ status: 'downloaded', offer }) }, T, at(1));
    expect(raised.get('update-available')).toMatchObject({ since: at(0).toISOString(), detail: { downloaded: true } });
    raised = evaluateConditions(raised, { update: update({ status: 'available', offer: { ...offer, version: '1.2.0' } }) }, T, at(2));
    expect(raised.get('update-available')).toMatchObject({ since: at(2).toISOString(), subject: '1.2.0' });
  });

  it('a failed check is the update server out of reach; another failure is a failed update; a running check changes neither', () => {
    const checkFailed = update({ status: 'failed', error: { code: 'UPDATE_CHECK_FAILED', message: 'The update repository could not be reached.' } });
    const noSpace = update({ status: 'failed', error: { code: 'UPDATE_NO_SPACE', message: 'Not enough free space' } });
    const { ids, last } = run([
      { update: checkFailed },
      { update: update({ status: 'checking' }) },
      { update: checkFailed },
      { update: update({ status: 'up-to-date' }) },
      { update: noSpace },
      { update: update({ status: 'checking' }) },
    ]);
    expect(ids).toEqual([
      ['update-server-unreachable'],
      ['update-server-unreachable'],
      ['update-server-unreachable'],
      [],
      ['update-failed'],
      ['update-failed'],
    ]);
    expect(last.get('update-failed')?.detail).toEqual({ code: 'UPDATE_NO_SPACE', message: 'Not enough free space' });
  });

  it('a download waiting for the network is waiting; one waiting on the server holds until bytes arrive again', () => {
    const downloading = (bytes: number, waitingFor: 'network' | 'unmetered-network' | 'retry' | null, paused = false) =>
      update({ status: 'downloading', offer, bytes, total: offer.downloadBytes, paused, waitingFor });
    const { ids } = run(
      [
        downloading(100, 'network'),
        downloading(100, null),
        downloading(200, 'retry'),
        downloading(200, null), // retrying: no byte yet
        downloading(200, 'retry'),
        downloading(300, null), // bytes again
        downloading(300, 'unmetered-network'),
        downloading(300, 'unmetered-network', true), // the wearer paused it: nothing to tell
      ].map((u) => ({ update: u })),
    );
    expect(ids).toEqual([
      ['update-waiting'],
      [],
      ['update-server-unreachable'],
      ['update-server-unreachable'],
      ['update-server-unreachable'],
      [],
      ['update-waiting'],
      [],
    ]);
  });

  it('a boot that fell back tells the update did not start, once per boot', () => {
    const fellBack = { ...sampleBoot, fellBack: true, bootId: 'boot-2' };
    const raised = evaluateConditions(new Map(), { boot: fellBack }, T, at(0));
    expect(raised.get('update-rolled-back')).toMatchObject({ subject: 'boot-2', detail: { version: '1.0.0' } });
    expect(evaluateConditions(raised, { boot: { ...sampleBoot, bootId: 'boot-3' } }, T, at(1)).has('update-rolled-back')).toBe(false);
  });
});

describe('alert thresholds', () => {
  it('the defaults pass their own checks', () => {
    expect(checkAlertThresholds(T)).toBe(T);
  });

  it('refuses a clear threshold on the wrong side of its raise threshold, and levels in the wrong order', () => {
    expect(() => checkAlertThresholds({ ...T, temperature: { ...T.temperature, high: { raiseAt: 80, clearBelow: 80 } } })).toThrow(
      /temperature.high: clearBelow \(80\) must be below raiseAt \(80\)/,
    );
    expect(() => checkAlertThresholds({ ...T, battery: { ...T.battery, low: { raiseAt: 20, clearAt: 15 } } })).toThrow(/battery.low: clearAt/);
    expect(() => checkAlertThresholds({ ...T, battery: { low: T.battery.low, critical: { raiseAt: 30, clearAt: 35 } } })).toThrow(
      /battery.critical must be raised below battery.low/,
    );
    expect(() => checkAlertThresholds({ ...T, crashLoop: { crashes: 1, windowMinutes: 10 } })).toThrow(/crashLoop.crashes/);
  });
});
