import { describe, expect, it } from 'vitest';
import { progressPercent } from './ProgressBar.js';

describe('progressPercent', () => {
  it('is the whole percent the bar draws, held between 0 and 100', () => {
    expect(progressPercent(0, 4_200_000)).toBe(0);
    expect(progressPercent(546_000, 4_200_000)).toBe(13);
    expect(progressPercent(4_199_999, 4_200_000)).toBe(99);
    expect(progressPercent(4_200_000, 4_200_000)).toBe(100);
    expect(progressPercent(5_000_000, 4_200_000)).toBe(100);
    expect(progressPercent(-1, 10)).toBe(0);
    expect(progressPercent(5, 0)).toBe(0);
    expect(progressPercent(5, Number.NaN)).toBe(0);
  });
});
