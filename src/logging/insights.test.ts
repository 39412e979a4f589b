import { describe, expect, it } from 'vitest';
import { findInsights, mannWhitneyP, median, type InsightInput, type NumericSample } from './insights.js';

const H = 3_600_000;
const start = Date.UTC(2026, 2, 1);

function input(over: Partial<InsightInput> = {}): InsightInput {
  return { start, end: start + 12 * H, versions: [], samples: [], errorTimes: new Map(), bootStarts: [], fatals: [], ...over };
}

function locks(version: string, values: number[]): NumericSample[] {
  return values.map((value) => ({ subsystem: 'gps', field: 'timeToLockMs', version, value }));
}

describe('statistics', () => {
  it('median and Mann-Whitney', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(mannWhitneyP([1, 2, 3, 4, 5, 6], [11, 12, 13, 14, 15, 16])).toBeLessThan(0.01);
    expect(mannWhitneyP([1, 5, 2, 6, 3, 7], [2, 6, 3, 5, 1, 7])).toBeGreaterThan(0.5);
    expect(mannWhitneyP([4, 4, 4], [4, 4, 4])).toBe(1);
  });
});

describe('findInsights', () => {
  it('says a numeric field got slower since the newest version, with the numbers', () => {
    const samples = [...locks('1.3.2', [3900, 4100, 4000, 4200, 3800, 4050, 3950]), ...locks('1.4.0', [12000, 11800, 12500, 13000, 12100, 11900])];
    const [insight, ...rest] = findInsights(input({ versions: ['1.3.2', '1.4.0'], samples }));
    expect(rest).toEqual([]);
    expect(insight).toMatchObject({ kind: 'version-change', subsystem: 'gps', severity: 'warn', text: 'GPS time-to-lock is 3× slower since 1.4.0' });
    expect(insight!.evidence).toBe('median 12 s over 6 samples on 1.4.0, against 4 s over 7 on 1.3.2');
  });

  it('compares the newest version with the one before it, and says faster when it got faster', () => {
    const samples = [
      ...locks('1.2.0', [100, 100, 100, 100, 100]),
      ...locks('1.3.0', [9000, 9100, 8900, 9050, 8950, 9020]),
      ...locks('1.4.0', [3000, 3100, 2900, 3050, 2950, 3020]),
    ];
    const found = findInsights(input({ versions: ['1.2.0', '1.3.0', '1.4.0'], samples }));
    expect(found.map((i) => i.text)).toEqual(['GPS time-to-lock is 3× faster since 1.4.0']);
  });

  it('says nothing on too few samples, a small change, or overlapping noise', () => {
    const few = [...locks('1.0.0', [1000, 1000, 1000, 1000]), ...locks('1.1.0', [5000, 5000, 5000, 5000, 5000])];
    const small = [...locks('1.0.0', [1000, 1100, 900, 1000, 1050]), ...locks('1.1.0', [1300, 1400, 1200, 1350, 1250])];
    const noisy = [...locks('1.0.0', [100, 9000, 200, 8000, 300, 7000]), ...locks('1.1.0', [150, 9500, 250, 8800, 10000, 6000])];
    for (const samples of [few, small, noisy]) expect(findInsights(input({ versions: ['1.0.0', '1.1.0'], samples }))).toEqual([]);
  });

  it('reports a rise of errors in a subsystem from the earlier part of the range to the recent quarter', () => {
    const earlier = Array.from({ length: 18 }, (_, i) => start + i * 0.5 * H); // 2/h over 9 h
    const recent = Array.from({ length: 120 }, (_, i) => start + 9 * H + i * 90_000); // 40/h over 3 h
    const [insight] = findInsights(input({ errorTimes: new Map([['update', [...earlier, ...recent]]]) }));
    expect(insight).toMatchObject({
      kind: 'error-rate',
      text: 'Errors in updates rose from 2/h to 40/h',
      evidence: '120 errors in the last 3 hours, against 18 in the 9 hours before',
    });
  });

  it('compares error rates from where the log begins, not over the empty hours before it', () => {
    // The log starts at hour 8: 1/h until hour 11, then 12 in the last hour.
    const times = [8.2, 9.1, 10.3, ...Array.from({ length: 12 }, (_, i) => 11 + i / 12)].map((h) => start + h * H);
    const [insight] = findInsights(input({ logStart: start + 8 * H, errorTimes: new Map([['gps', times]]) }));
    expect(insight).toMatchObject({
      text: 'Errors in GPS rose from 1/h to 12/h',
      evidence: '12 errors in the last 1 hour, against 3 in the 3 hours before',
    });
  });

  it('stays quiet on a steady error rate', () => {
    const steady = Array.from({ length: 48 }, (_, i) => start + i * 0.25 * H);
    expect(findInsights(input({ errorTimes: new Map([['update', steady]]) }))).toEqual([]);
  });

  it('counts boots in the last 24 hours, from three on', () => {
    const boots = [start + H, start + 5 * H, start + 6 * H, start + 8 * H, start + 11 * H];
    expect(findInsights(input({ bootStarts: boots }))[0]).toMatchObject({
      kind: 'restarts',
      text: 'The headset started 5 times in the last 12 hours',
    });
    expect(findInsights(input({ bootStarts: boots.slice(0, 2) }))).toEqual([]);
  });

  it('reports crashes from fatal entries', () => {
    const fatals = [
      { time: '2026-03-01T02:00:00.000Z', subsystem: 'update', msg: 'uncaught exception' },
      { time: '2026-03-01T05:00:00.000Z', subsystem: 'gps', msg: 'unhandled rejection: port closed' },
    ];
    expect(findInsights(input({ fatals }))[0]).toMatchObject({
      kind: 'crashes',
      text: 'The services crashed 2 times',
      evidence: 'last at 2026-03-01 05:00 UTC in GPS: unhandled rejection: port closed',
    });
  });
});
