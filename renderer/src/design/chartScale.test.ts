import { describe, expect, it } from 'vitest';
import { chartScale } from './chartScale.js';

describe('chartScale', () => {
  it('keeps the fixed scale while the readings fit it', () => {
    expect(chartScale([41.5, 44, 39], 20, 90)).toEqual({ lo: 20, hi: 90 });
    expect(chartScale([], 20, 90)).toEqual({ lo: 20, hi: 90 });
  });

  it('widens past a reading beyond it, to a round number: 109 °C is on the chart, not cut at 90', () => {
    expect(chartScale([41, 109], 20, 90)).toEqual({ lo: 20, hi: 110 });
    expect(chartScale([90.5], 20, 90)).toEqual({ lo: 20, hi: 100 });
    expect(chartScale([-3, 30], 0, 100)).toEqual({ lo: -10, hi: 100 });
  });

  it('grows with the data when there is no fixed top', () => {
    expect(chartScale([2.4, 28.4], 0)).toEqual({ lo: 0, hi: 29 });
    expect(chartScale([0, 0], 0)).toEqual({ lo: 0, hi: 1 });
  });
});
