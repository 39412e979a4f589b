import { statfs } from 'node:fs/promises';
import si from 'systeminformation';
import type { HealthSnapshot } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import type { BatterySensor, GpsHealthSource, TemperatureSensor } from './ports.js';

/**
 * Periodic health snapshots: CPU load, temperature, memory, the disk holding the device's data, the
 * battery and the GPS receiver's lock. Each snapshot is pushed to subscribers as `health.changed`.
 */
export class HealthService {
  readonly snapshot = new StateChannel<HealthSnapshot>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<HealthSnapshot> | undefined;

  constructor(
    private readonly temperature: TemperatureSensor,
    private readonly dataPath: string,
    private readonly intervalMs = 3000,
    private readonly parts: { battery?: BatterySensor; gps?: GpsHealthSource } = {},
  ) {}

  async start(): Promise<void> {
    // systeminformation's first load reading covers nothing: take it, then measure a short window.
    await si.currentLoad();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await this.sample();
    this.timer = setInterval(() => void this.sample().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Takes a snapshot now; concurrent callers share one sampling. */
  sample(): Promise<HealthSnapshot> {
    this.sampling ??= this.measure().finally(() => (this.sampling = undefined));
    return this.sampling;
  }

  private async measure(): Promise<HealthSnapshot> {
    // statfs, not systeminformation's fsSize: that spawns `df` at every sample.
    const [load, memory, disk] = await Promise.all([si.currentLoad(), si.mem(), statfs(this.dataPath)]);
    const cpuLoadPercent = clampPercent(load.currentLoad);
    const snapshot: HealthSnapshot = {
      takenAt: new Date().toISOString(),
      cpuLoadPercent,
      temperatureC: await this.temperature.readCelsius(cpuLoadPercent),
      // `active` excludes caches the kernel gives back on demand: what a person means by "used".
      memory: { usedBytes: memory.active, totalBytes: memory.total },
      disk: { usedBytes: (disk.blocks - disk.bfree) * disk.bsize, totalBytes: disk.blocks * disk.bsize, path: this.dataPath },
      // A battery that cannot be read is reported as none rather than failing the whole snapshot.
      battery: (await this.parts.battery?.read(cpuLoadPercent).catch(() => null)) ?? null,
      gps: this.parts.gps?.health() ?? null,
    };
    this.snapshot.set(snapshot);
    return snapshot;
  }
}

function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, Math.round(value * 10) / 10)) : 0;
}
