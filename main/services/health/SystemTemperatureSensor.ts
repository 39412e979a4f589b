import si from 'systeminformation';
import type { TemperatureSensor } from './ports.js';

/** The CPU package temperature as the kernel reports it. ARM boards report -1 for "none". */
export class SystemTemperatureSensor implements TemperatureSensor {
  async readCelsius(): Promise<number | null> {
    const { main } = await si.cpuTemperature();
    return typeof main === 'number' && main > -1 ? main : null;
  }
}
