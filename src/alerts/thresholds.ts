/**
 * Where a device condition becomes an alert, and where it stops being one: each level has a raise
 * and a clear threshold with a gap between them (hysteresis), so a reading that wobbles at the edge
 * raises once and clears once instead of flapping. A device profile supplies its own.
 */
export interface HighLevel {
  /** Raised when the reading reaches this (inclusive). */
  raiseAt: number;
  /** Cleared once the reading falls below this. */
  clearBelow: number;
}

export interface LowLevel {
  /** Raised when the reading falls to this (inclusive). */
  raiseAt: number;
  /** Cleared once the reading is back at or above this. */
  clearAt: number;
}

export interface AlertThresholds {
  /** The hottest thermal zone, °C. */
  temperature: { high: HighLevel; critical: HighLevel };
  /** Battery charge, %; neither is raised while the battery charges. */
  battery: { low: LowLevel; critical: LowLevel };
  /** Free space on the data partition, % of its size. */
  storageFreePercent: LowLevel;
  /** A crash loop: `crashes` crash records (any process) within `windowMinutes`; it clears after a whole window without one. */
  crashLoop: { crashes: number; windowMinutes: number };
}

/**
 * The defaults (both profiles use them today): "critical" is where the wearer has to act now (the
 * SoC is about to throttle hard, the battery about to cut out), "high"/"low" where soon.
 */
export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  temperature: { high: { raiseAt: 80, clearBelow: 75 }, critical: { raiseAt: 95, clearBelow: 90 } },
  battery: { low: { raiseAt: 15, clearAt: 20 }, critical: { raiseAt: 5, clearAt: 8 } },
  storageFreePercent: { raiseAt: 10, clearAt: 15 },
  crashLoop: { crashes: 3, windowMinutes: 10 },
};

/** Refuses thresholds that could flap or never clear: each clear lies strictly on the safe side of its raise. */
export function checkAlertThresholds(t: AlertThresholds): AlertThresholds {
  const problems: string[] = [];
  const high = (name: string, level: HighLevel) => {
    if (!(level.clearBelow < level.raiseAt)) problems.push(`${name}: clearBelow (${level.clearBelow}) must be below raiseAt (${level.raiseAt})`);
  };
  const low = (name: string, level: LowLevel, max: number) => {
    if (!(level.clearAt > level.raiseAt)) problems.push(`${name}: clearAt (${level.clearAt}) must be above raiseAt (${level.raiseAt})`);
    if (level.raiseAt < 0 || level.clearAt > max) problems.push(`${name}: thresholds must lie within 0–${max}`);
  };
  high('temperature.high', t.temperature.high);
  high('temperature.critical', t.temperature.critical);
  if (!(t.temperature.critical.raiseAt > t.temperature.high.raiseAt)) problems.push('temperature.critical must be raised above temperature.high');
  low('battery.low', t.battery.low, 100);
  low('battery.critical', t.battery.critical, 100);
  if (!(t.battery.critical.raiseAt < t.battery.low.raiseAt)) problems.push('battery.critical must be raised below battery.low');
  low('storageFreePercent', t.storageFreePercent, 100);
  if (!Number.isInteger(t.crashLoop.crashes) || t.crashLoop.crashes < 2) problems.push('crashLoop.crashes must be an integer of at least 2');
  if (!(t.crashLoop.windowMinutes > 0)) problems.push('crashLoop.windowMinutes must be positive');
  if (problems.length > 0) throw new Error(`alert thresholds: ${problems.join('; ')}`);
  return t;
}
