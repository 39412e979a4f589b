import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../storage/atomicFile.js';
import type { TemperatureSensor } from './ports.js';

const AMBIENT_C = 34;
const CELSIUS_PER_LOAD_PERCENT = 0.35;
/** Fraction of the gap to the steady state closed per reading: the headset's thermal inertia. */
const INERTIA = 0.3;

/**
 * The simulated headset's thermal zone: a first-order model heated by the real CPU load, kept in
 * a sysfs-style file (millidegrees) that a developer can also overwrite to provoke a hot device.
 */
export class SimulatedThermalZone implements TemperatureSensor {
  constructor(private readonly path: string) {}

  async readCelsius(cpuLoadPercent: number): Promise<number> {
    const previous = Number.parseInt(await readFile(this.path, 'utf8').catch(() => ''), 10);
    const current = Number.isFinite(previous) ? previous / 1000 : AMBIENT_C;
    const steady = AMBIENT_C + CELSIUS_PER_LOAD_PERCENT * cpuLoadPercent;
    const next = current + (steady - current) * INERTIA;
    await writeFileAtomic(this.path, `${Math.round(next * 1000)}\n`);
    return Math.round(next * 10) / 10;
  }
}
