import { describe, expect, it } from 'vitest';
import { barFraction, gapToBest, lapTime } from './lapTime.js';

describe('lap times', () => {
  it('reads as timing screens show them', () => {
    expect(lapTime(62_345)).toBe('1:02.35');
    expect(lapTime(58_070)).toBe('58.07');
    expect(lapTime(59_999)).toBe('1:00.00');
    expect(lapTime(125_000)).toBe('2:05.00');
    expect(gapToBest(63_155, 62_345)).toBe('+0.81');
    expect(gapToBest(62_345, 62_345)).toBe('best');
  });

  it('draws the best lap shortest and the slowest full, never nothing', () => {
    expect(barFraction(60_000, 60_000, 70_000)).toBeLessThan(barFraction(61_000, 60_000, 70_000));
    expect(barFraction(70_000, 60_000, 70_000)).toBe(1);
    expect(barFraction(60_000, 60_000, 60_000)).toBeGreaterThan(0);
  });
});
