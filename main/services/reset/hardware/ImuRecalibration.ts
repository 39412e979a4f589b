import { join } from 'node:path';
import { ensureDirectory, readJsonIfExists, writeFileAtomic } from '../../storage/atomicFile.js';
import type { ImuSource } from './ports.js';

export interface ImuBias {
  gyroBias: [number, number, number];
  at: string;
  samples: number;
}

/** What the calibration file keeps: the bias in use and the one before it. */
export interface ImuBiasFile {
  current: ImuBias;
  previous: ImuBias | null;
}

export type ImuRecalibrationResult =
  { result: 'stored'; bias: ImuBias; previous: ImuBias | null } | { result: 'refused-moving'; gyroSpread: number; accelSpread: number };

/** Above these spreads (standard deviations) the headset is moving: a bias estimated then would be wrong. */
const STILL_GYRO_SPREAD = 0.01; // rad/s
const STILL_ACCEL_SPREAD = 0.1; // m/s²

/**
 * IMU recalibration: the gyroscope's bias is the mean rotation rate while the headset is still;
 * refused while it moves (a spread of readings above the still thresholds); stored crash-safe on the
 * persist partition's calibration folder with the previous value kept beside it.
 */
export class ImuRecalibration {
  readonly path: string;
  constructor(
    calibrationDir: string,
    private readonly imu: ImuSource,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.path = join(calibrationDir, 'imu-bias.json');
  }

  async run(samples = 200): Promise<ImuRecalibrationResult> {
    const readings = await this.imu.read(samples);
    const gyroSpread = Math.max(...[0, 1, 2].map((axis) => spread(readings.map((r) => r.gyro[axis]!))));
    const accelSpread = Math.max(...[0, 1, 2].map((axis) => spread(readings.map((r) => r.accel[axis]!))));
    if (gyroSpread > STILL_GYRO_SPREAD || accelSpread > STILL_ACCEL_SPREAD) return { result: 'refused-moving', gyroSpread, accelSpread };
    const gyroBias = [0, 1, 2].map((axis) => mean(readings.map((r) => r.gyro[axis]!))) as [number, number, number];
    const bias: ImuBias = { gyroBias, at: this.now().toISOString(), samples: readings.length };
    const previous = (await readJsonIfExists<ImuBiasFile>(this.path))?.current ?? null;
    await ensureDirectory(join(this.path, '..'));
    await writeFileAtomic(this.path, JSON.stringify({ current: bias, previous } satisfies ImuBiasFile));
    return { result: 'stored', bias, previous };
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function spread(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
}
