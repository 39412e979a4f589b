import { ImuRecalibration, type ImuRecalibrationResult } from './ImuRecalibration.js';
import { PERIPHERAL_TITLES, type Peripheral, type PeripheralId } from './ports.js';

export interface PeripheralReport {
  id: PeripheralId;
  title: string;
  /** The step it stopped at, or `verified`. */
  reached: 'power-cycle' | 'initialize' | 'verify' | 'verified';
  ok: boolean;
  detail: string;
}

/** The verification report the UI shows after a hardware reset. */
export interface HardwareResetReport {
  peripherals: PeripheralReport[];
  imu: ImuRecalibrationResult | { result: 'skipped' };
  ok: boolean;
  startedAt: string;
  finishedAt: string;
}

/**
 * Hardware reset (000 §3.4): each peripheral in turn is power-cycled, initialized and verified (one
 * that fails does not stop the others: the report says which and where), then the IMU is
 * recalibrated when asked (refused while the headset moves). Logged.
 */
export class HardwareReset {
  constructor(
    private readonly peripherals: readonly Peripheral[],
    private readonly imu: ImuRecalibration,
    private readonly log?: { info(message: string, fields?: Record<string, unknown>): void },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `log: false` inside a wipe (a log line between the erase and its check would be a file in the erased logs); the caller logs the report after. */
  async run(options: { recalibrateImu: boolean; log?: boolean }): Promise<HardwareResetReport> {
    const startedAt = this.now().toISOString();
    const peripherals: PeripheralReport[] = [];
    for (const peripheral of this.peripherals) peripherals.push(await this.bringUp(peripheral));
    const imu = options.recalibrateImu ? await this.imu.run() : ({ result: 'skipped' } as const);
    const ok = peripherals.every((p) => p.ok) && imu.result !== 'refused-moving';
    const report: HardwareResetReport = { peripherals, imu, ok, startedAt, finishedAt: this.now().toISOString() };
    if (options.log !== false)
      this.log?.info('hardware reset', {
        ok,
        failed: peripherals.filter((p) => !p.ok).map((p) => `${p.id}@${p.reached}`),
        imu: imu.result,
      });
    return report;
  }

  private async bringUp(peripheral: Peripheral): Promise<PeripheralReport> {
    const base = { id: peripheral.id, title: PERIPHERAL_TITLES[peripheral.id] };
    let reached: PeripheralReport['reached'] = 'power-cycle';
    try {
      await peripheral.powerCycle();
      reached = 'initialize';
      await peripheral.initialize();
      reached = 'verify';
      const check = await peripheral.verify();
      return { ...base, reached: check.ok ? 'verified' : 'verify', ok: check.ok, detail: check.detail };
    } catch (error) {
      return { ...base, reached, ok: false, detail: (error as Error).message };
    }
  }
}
