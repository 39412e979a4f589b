import { describe, expect, it } from 'vitest';
import { poissonSurprise } from './poisson.js';
import { detectAnomalies, type TemplateSeries } from './templateAnomalies.js';

const start = Date.UTC(2026, 2, 1, 0, 0);
const bucketMs = 10 * 60_000;

function series(counts: number[], over: Partial<TemplateSeries> = {}): TemplateSeries {
  return { templateId: 1, template: 'download retry <num> after <num> ms', subsystem: 'update', level: 'warn', counts, ...over };
}

describe('poissonSurprise', () => {
  it('is 0 at or below the expected count and grows with the surprise', () => {
    expect(poissonSurprise(3, 5)).toBe(0);
    // P(X >= 1 | 1) = 1 - e^-1
    expect(poissonSurprise(1, 1)).toBe(0);
    expect(poissonSurprise(2, 1)).toBeCloseTo(-Math.log10(1 - 2 / Math.E), 6);
    expect(poissonSurprise(40, 2)).toBeGreaterThan(20);
    expect(poissonSurprise(300, 100)).toBeGreaterThan(poissonSurprise(6, 2));
  });
});

describe('detectAnomalies', () => {
  it("finds a burst against the template's own baseline, and says it in words", () => {
    const counts = [2, 3, 1, 2, 2, 3, 2, 40, 2, 3, 2, 1];
    const [a, ...rest] = detectAnomalies([series(counts)], { start, bucketMs });
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ kind: 'burst', at: '2026-03-01T01:10:00.000Z', observed: 40 });
    expect(a!.expected).toBeCloseTo(15 / 7, 5);
    expect(a!.score).toBeGreaterThan(10);
    expect(a!.explanation).toBe(
      'Updates logged “download retry <num> after <num> ms” 40 times in 10 minutes from 2026-03-01 01:10 UTC, where about 2.1 was usual over the 1.2 hours before (19× the rate).',
    );
  });

  it('stays quiet on steady or merely noisy rates, and on small counts however large the ratio', () => {
    expect(detectAnomalies([series([5, 7, 4, 6, 5, 8, 6, 4, 9, 5, 6, 7])], { start, bucketMs })).toEqual([]);
    expect(detectAnomalies([series([0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0])], { start, bucketMs })).toEqual([]);
    // 1.5x at high volume is unlikely by chance, yet below the ratio worth a card.
    expect(detectAnomalies([series([100, 100, 100, 100, 150, 100])], { start, bucketMs })).toEqual([]);
  });

  it('reports an error template that never appeared in the baseline', () => {
    const steady = series([3, 2, 3, 3, 2, 3, 3, 2, 3, 3, 2, 3], { templateId: 9, level: 'info' });
    const found = detectAnomalies(
      [steady, series([0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0], { level: 'error', template: 'slot <*> failed verification', subsystem: 'update' })],
      { start, bucketMs },
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'new-error', observed: 2, at: '2026-03-01T01:30:00.000Z' });
    expect(found[0]!.explanation).toContain('A new error in updates appeared at 2026-03-01 01:30 UTC');
    expect(found[0]!.explanation).toContain('never in the 1.5 hours before');
  });

  it('measures the baseline from where the log begins, not from the start of an empty range', () => {
    // Nothing for 8 buckets, then a steady template and, 1 bucket later, a jump: too little history.
    expect(detectAnomalies([series([0, 0, 0, 0, 0, 0, 0, 0, 2, 40, 2, 2])], { start, bucketMs })).toEqual([]);
    expect(detectAnomalies([series([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], { level: 'error' })], { start, bucketMs })).toEqual([]);
  });

  it('does not call a template new when the range starts with it, or when it is only info', () => {
    expect(detectAnomalies([series([1, 0, 0, 0, 0, 0, 0, 2], { level: 'error' })], { start, bucketMs })).toEqual([]);
    expect(detectAnomalies([series([0, 0, 0, 0, 0, 0, 0, 2], { level: 'info' })], { start, bucketMs })).toEqual([]);
  });

  it('orders anomalies by score', () => {
    const found = detectAnomalies([series([1, 1, 1, 1, 1, 1, 1, 12], { templateId: 1 }), series([1, 1, 1, 1, 1, 1, 1, 60], { templateId: 2 })], {
      start,
      bucketMs,
    });
    expect(found.map((a) => a.templateId)).toEqual([2, 1]);
  });
});
