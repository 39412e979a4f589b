import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomicFile.js';
import type { BatteryReading, BatterySensor } from './ports.js';

/** Discharge in % of capacity per hour: the idle draw, plus the CPU and GPU under load. */
const IDLE_DRAIN_PER_HOUR = 12;
const LOAD_DRAIN_PER_HOUR_AT_100 = 18;
/** Constant-current charging up to 80 %, then constant voltage: the rate tapers to a trickle. */
const FAST_CHARGE_PER_HOUR = 45;
const TAPER_FROM_PERCENT = 80;
const TRICKLE_PER_HOUR = 4;
/** While plugged in, the charger covers this much of the load's draw. */
const CHARGER_COVERS = 0.8;
const CHARGE_FULL_MICRO_AH = 5_000_000;

/**
 * The simulated headset's battery, kept in sysfs-style files (`power_supply/BAT0/capacity`,
 * `status`, `charge_now`): it drains faster under CPU load and charges while
 * `power_supply/AC/online` holds 1. A developer may write `capacity` to set a level (an empty
 * battery, say); the model carries on from there.
 */
export class SimulatedBattery implements BatterySensor {
  private charge: number | undefined; // fraction 0..1, more precise than the integer `capacity`
  private writtenCapacity: number | undefined;
  private writtenStatus: string | undefined;
  private lastAt: number | undefined;

  constructor(
    private readonly dir: string,
    private readonly chargerOnlinePath: string,
    private readonly now: () => number = Date.now,
  ) {}

  async read(cpuLoadPercent: number): Promise<BatteryReading> {
    const now = this.now();
    const capacityFile = await readNumber(join(this.dir, 'capacity'));
    if (this.charge === undefined) {
      const chargeNow = await readNumber(join(this.dir, 'charge_now'));
      this.charge = chargeNow !== undefined ? chargeNow / CHARGE_FULL_MICRO_AH : capacityFile !== undefined ? capacityFile / 100 : 0.85;
    } else if (capacityFile !== undefined && capacityFile !== this.writtenCapacity) {
      this.charge = capacityFile / 100; // someone wrote a level: take it
    }
    const plugged = (await readFile(this.chargerOnlinePath, 'utf8').catch(() => '0')).trim() === '1';
    const hours = this.lastAt === undefined ? 0 : Math.max(0, now - this.lastAt) / 3_600_000;
    this.lastAt = now;
    const ratePerHour = netRatePerHour(this.charge * 100, plugged, cpuLoadPercent);
    this.charge = Math.min(1, Math.max(0, this.charge + (ratePerHour * hours) / 100));
    const percent = Math.round(this.charge * 1000) / 10;
    const charging = plugged && this.charge < 1;
    const status = charging ? 'Charging' : plugged ? 'Full' : 'Discharging';
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, 'charge_now'), `${Math.round(this.charge * CHARGE_FULL_MICRO_AH)}\n`);
    // status and capacity change rarely: rewritten only when they do.
    if (status !== this.writtenStatus) await writeFileAtomic(join(this.dir, 'status'), `${status}\n`);
    this.writtenStatus = status;
    if (Math.round(percent) !== capacityFile || this.writtenCapacity === undefined)
      await writeFileAtomic(join(this.dir, 'capacity'), `${Math.round(percent)}\n`);
    this.writtenCapacity = Math.round(percent);
    return { percent, charging };
  }
}

/** Percent per hour the charge changes by (negative: draining). */
export function netRatePerHour(percent: number, plugged: boolean, cpuLoadPercent: number): number {
  const drain = IDLE_DRAIN_PER_HOUR + (LOAD_DRAIN_PER_HOUR_AT_100 * Math.min(100, Math.max(0, cpuLoadPercent))) / 100;
  if (!plugged) return -drain;
  const taper = percent <= TAPER_FROM_PERCENT ? 1 : (100 - percent) / (100 - TAPER_FROM_PERCENT);
  const charge = TRICKLE_PER_HOUR + (FAST_CHARGE_PER_HOUR - TRICKLE_PER_HOUR) * Math.max(0, taper);
  return charge - drain * (1 - CHARGER_COVERS);
}

async function readNumber(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const value = Number.parseInt(text, 10);
  return Number.isFinite(value) && value >= 0 && value <= 100_000_000 ? value : undefined;
}
