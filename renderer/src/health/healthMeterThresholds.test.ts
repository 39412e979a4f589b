import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_THRESHOLDS, type AlertThresholds } from '../../../src/alerts/thresholds.js';
import { meterLevel } from '../design/meterLevel.js';
import { healthMeterThresholds } from './healthMeterThresholds.js';

describe("Home's meters colour where headsetd raises its alerts", () => {
  const meters = healthMeterThresholds(DEFAULT_ALERT_THRESHOLDS);

  it('temperature: amber at "getting hot" (80 °C), red at "too hot" (95 °C), on a scale above both', () => {
    expect(meterLevel(79.9, meters.temperature)).toBe('ok');
    expect(meterLevel(80, meters.temperature)).toBe('warn');
    expect(meterLevel(94.9, meters.temperature)).toBe('warn');
    expect(meterLevel(95, meters.temperature)).toBe('danger');
    expect(meters.temperatureMax).toBe(110);
  });

  it('battery: amber at "battery low" (15 %), red at "almost empty" (5 %)', () => {
    expect(meterLevel(16, meters.battery)).toBe('ok');
    expect(meterLevel(15, meters.battery)).toBe('warn');
    expect(meterLevel(6, meters.battery)).toBe('warn');
    expect(meterLevel(5, meters.battery)).toBe('danger');
  });

  it('storage: amber once 10 % or less is free (90 % in use), never red', () => {
    expect(meterLevel(89.9, meters.storage)).toBe('ok');
    expect(meterLevel(90, meters.storage)).toBe('warn');
    expect(meterLevel(100, meters.storage)).toBe('warn');
  });

  it("follows another profile's thresholds, not a table of its own", () => {
    const cool: AlertThresholds = {
      ...DEFAULT_ALERT_THRESHOLDS,
      temperature: { high: { raiseAt: 60, clearBelow: 55 }, critical: { raiseAt: 70, clearBelow: 65 } },
      battery: { low: { raiseAt: 30, clearAt: 35 }, critical: { raiseAt: 12, clearAt: 15 } },
      storageFreePercent: { raiseAt: 25, clearAt: 30 },
    };
    const other = healthMeterThresholds(cool);
    expect(other.temperature).toEqual({ warnAt: 60, dangerAt: 70 });
    // A low critical threshold keeps the usual 90 °C top.
    expect(other.temperatureMax).toBe(90);
    expect(other.battery).toEqual({ warnBelow: 30, dangerBelow: 12 });
    expect(meterLevel(75, other.storage)).toBe('warn');
    expect(meterLevel(74, other.storage)).toBe('ok');
  });
});
