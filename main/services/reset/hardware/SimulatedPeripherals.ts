import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDirectory, readJsonIfExists, writeFileAtomic } from '../../storage/atomicFile.js';
import { PERIPHERALS, type ImuSample, type ImuSource, type Peripheral, type PeripheralId } from './ports.js';

/**
 * The simulated headset's peripherals: each one a folder under `<root>/hardware/<id>/` holding its
 * real state (`state.json`: powered, initialized, power cycles) and, to inject a fault, a `fault`
 * file whose first word is `no-power` (it does not come back after a power cycle), `init-fails`
 * (its initialization is refused) or `no-answer` (it initializes but does not answer the check).
 * The IMU's readings come from `imu/motion.json` ({ "moving": bool, "gyroBias": [x,y,z] }): still,
 * gravity plus the bias and a little noise; moving, large rotation rates.
 */
export class SimulatedPeripheral implements Peripheral {
  constructor(
    readonly id: PeripheralId,
    private readonly dir: string,
  ) {}

  private async fault(): Promise<string | undefined> {
    const text = await readFile(join(this.dir, 'fault'), 'utf8').catch(() => undefined);
    return text?.trim().split(/\s+/)[0] || undefined;
  }

  async state(): Promise<{ powered: boolean; initialized: boolean; cycles: number }> {
    return (await readJsonIfExists(join(this.dir, 'state.json'))) ?? { powered: true, initialized: true, cycles: 0 };
  }

  private async save(state: { powered: boolean; initialized: boolean; cycles: number }): Promise<void> {
    await ensureDirectory(this.dir);
    await writeFileAtomic(join(this.dir, 'state.json'), JSON.stringify(state));
  }

  async powerCycle(): Promise<void> {
    const state = await this.state();
    await this.save({ powered: (await this.fault()) !== 'no-power', initialized: false, cycles: state.cycles + 1 });
  }

  async initialize(): Promise<void> {
    const state = await this.state();
    if (!state.powered) throw new Error(`${this.id}: no power after the power cycle`);
    if ((await this.fault()) === 'init-fails') throw new Error(`${this.id}: the driver refused to initialize it`);
    await this.save({ ...state, initialized: true });
  }

  async verify(): Promise<{ ok: boolean; detail: string }> {
    const state = await this.state();
    if (!state.powered) return { ok: false, detail: 'no power' };
    if (!state.initialized) return { ok: false, detail: 'not initialized' };
    if ((await this.fault()) === 'no-answer') return { ok: false, detail: 'does not answer' };
    return { ok: true, detail: `answers after power cycle ${state.cycles}` };
  }
}

export function simulatedPeripherals(root: string): Peripheral[] {
  return PERIPHERALS.map((id) => new SimulatedPeripheral(id, join(root, 'hardware', id)));
}

/** Readings of the simulated IMU from its motion file (see SimulatedPeripheral). */
export class SimulatedImu implements ImuSource {
  constructor(private readonly root: string) {}

  async read(count: number): Promise<ImuSample[]> {
    const motion =
      (await readJsonIfExists<{ moving?: boolean; gyroBias?: [number, number, number] }>(join(this.root, 'hardware', 'imu', 'motion.json'))) ?? {};
    const bias = motion.gyroBias ?? [0.002, -0.001, 0.0005];
    const noise = (scale: number) => (randomInt(-1000, 1001) / 1000) * scale;
    return Array.from({ length: count }, (_, i) => {
      const turn = motion.moving ? Math.sin(i / 3) * 1.5 : 0;
      return {
        accel: [noise(0.02) + turn, noise(0.02), 9.81 + noise(0.02)],
        gyro: [bias[0] + noise(0.001) + turn, bias[1] + noise(0.001), bias[2] + noise(0.001)],
      };
    });
  }
}
