import type { Subsystem } from '../../src/logging/logRecord.js';

/**
 * The records both loggers write: a realistic mix of subsystems, messages and small field objects
 * (about 250 bytes a line), the same sequence for every run.
 */
export interface BenchRecord {
  subsystem: Subsystem;
  msg: string;
  fields: Record<string, unknown>;
}

const SAMPLES: BenchRecord[] = [
  { subsystem: 'update', msg: 'download progress', fields: { bytes: 1_048_576, total: 52_428_800, rate: 2_400_000 } },
  { subsystem: 'health', msg: 'snapshot', fields: { cpu: 37.5, temperatureC: 48.2, memoryUsed: 1_234_567_890 } },
  { subsystem: 'api', msg: 'call', fields: { method: 'system.info', ms: 3, scope: 'status' } },
  { subsystem: 'gps', msg: 'fix acquired', fields: { timeToLockMs: 8200, satellites: 9 } },
  { subsystem: 'network', msg: 'link changed', fields: { state: 'online', metered: false } },
  { subsystem: 'imu', msg: 'calibration drift', fields: { axis: 'z', drift: 0.0031 } },
];

export function benchRecord(i: number): BenchRecord {
  return SAMPLES[i % SAMPLES.length]!;
}
