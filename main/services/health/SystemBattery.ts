import si from 'systeminformation';
import type { BatteryReading, BatterySensor } from './ports.js';

/** The battery as the kernel's power_supply class reports it (through systeminformation). */
export class SystemBattery implements BatterySensor {
  async read(): Promise<BatteryReading | null> {
    const battery = await si.battery();
    if (!battery.hasBattery || !Number.isFinite(battery.percent)) return null;
    return { percent: Math.min(100, Math.max(0, battery.percent)), charging: battery.isCharging };
  }
}
