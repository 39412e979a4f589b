/** Where a value stands against a meter's thresholds. */
export type MeterLevel = 'ok' | 'warn' | 'danger';

/**
 * Thresholds in both directions: `warnAt`/`dangerAt` for values that are bad when high (CPU load,
 * temperature), `warnBelow`/`dangerBelow` for values that are bad when low (battery). Inclusive.
 */
export interface MeterThresholds {
  warnAt?: number;
  dangerAt?: number;
  warnBelow?: number;
  dangerBelow?: number;
}

export function meterLevel(value: number, { warnAt, dangerAt, warnBelow, dangerBelow }: MeterThresholds): MeterLevel {
  if ((dangerAt !== undefined && value >= dangerAt) || (dangerBelow !== undefined && value <= dangerBelow)) return 'danger';
  if ((warnAt !== undefined && value >= warnAt) || (warnBelow !== undefined && value <= warnBelow)) return 'warn';
  return 'ok';
}
