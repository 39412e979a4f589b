import type { AlertThresholds } from '../../../src/alerts/thresholds.js';
import type { MeterThresholds } from '../design/meterLevel.js';

/** Where Home's meters turn amber and red, and the temperature scale's top. */
export interface HealthMeterThresholds {
  temperature: MeterThresholds;
  /** The top of the temperature bar and trend: above the critical threshold, so red never sits at a full bar. */
  temperatureMax: number;
  battery: MeterThresholds;
  /** Storage in use, %. */
  storage: MeterThresholds;
}

/** The lowest top the temperature scale has (a cool headset's readings are not squashed into a corner). */
const TEMPERATURE_SCALE_TOP = 90;
const TEMPERATURE_HEADROOM = 10;

/**
 * The meters colour where headsetd raises its alerts (the device profile's thresholds, read with
 * `alerts.thresholds`): amber at "getting hot", "battery low" and "storage low", red at "too hot" and
 * "battery almost empty". The raise thresholds, not the clear ones: the bar says where the reading is
 * now, the banner stays until the condition has cleared. Storage has no red: no alert is more urgent
 * than "storage low".
 */
export function healthMeterThresholds(t: AlertThresholds): HealthMeterThresholds {
  const criticalHeat = t.temperature.critical.raiseAt;
  return {
    temperature: { warnAt: t.temperature.high.raiseAt, dangerAt: criticalHeat },
    temperatureMax: Math.max(TEMPERATURE_SCALE_TOP, Math.ceil((criticalHeat + TEMPERATURE_HEADROOM) / 10) * 10),
    battery: { warnBelow: t.battery.low.raiseAt, dangerBelow: t.battery.critical.raiseAt },
    storage: { warnAt: 100 - t.storageFreePercent.raiseAt },
  };
}
