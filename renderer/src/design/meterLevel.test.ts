import { describe, expect, it } from 'vitest';
import { meterLevel } from './meterLevel.js';

describe('a meter colours its bar at its thresholds', () => {
  it('warns upwards: CPU load at 75 and 95 %', () => {
    const cpu = { warnAt: 75, dangerAt: 95 };
    expect(meterLevel(74, cpu)).toBe('ok');
    expect(meterLevel(75, cpu)).toBe('warn');
    expect(meterLevel(95, cpu)).toBe('danger');
  });

  it('warns downwards: a battery at 20 % is amber, at 10 % red', () => {
    const battery = { warnBelow: 20, dangerBelow: 10 };
    expect(meterLevel(85, battery)).toBe('ok');
    expect(meterLevel(21, battery)).toBe('ok');
    expect(meterLevel(20, battery)).toBe('warn');
    expect(meterLevel(11, battery)).toBe('warn');
    expect(meterLevel(10, battery)).toBe('danger');
    expect(meterLevel(0, battery)).toBe('danger');
  });

  it('never warns without thresholds', () => {
    expect(meterLevel(0, {})).toBe('ok');
    expect(meterLevel(100, {})).toBe('ok');
  });
});
