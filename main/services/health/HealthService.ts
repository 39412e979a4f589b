import si from 'systeminformation';
import type { HealthSnapshot } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import type { TemperatureSensor } from './ports.js';

/**
 * Periodic health snapshots: CPU load, temperature, memory, and the disk holding the device's data.
 * Each snapshot is pushed to subscribers as the `health.changed` state.
 */
export class HealthService {
  readonly snapshot = new StateChannel<HealthSnapshot>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<HealthSnapshot> | undefined;

  constructor(
    private readonly temperature: TemperatureSensor,
    private readonly dataPath: string,
    private readonly intervalMs = 3000,
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
    const [load, memory, disks] = await Promise.all([si.currentLoad(), si.mem(), si.fsSize()]);
    const cpuLoadPercent = clampPercent(load.currentLoad);
    const disk = mountHolding(disks, this.dataPath);
    const snapshot: HealthSnapshot = {
      takenAt: new Date().toISOString(),
      cpuLoadPercent,
      temperatureC: await this.temperature.readCelsius(cpuLoadPercent),
      // `active` excludes caches the kernel gives back on demand: what a person means by "used".
      memory: { usedBytes: memory.active, totalBytes: memory.total },
      disk: { usedBytes: disk?.used ?? 0, totalBytes: disk?.size ?? 0, mount: disk?.mount ?? this.dataPath },
    };
    this.snapshot.set(snapshot);
    return snapshot;
  }
}

function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, Math.round(value * 10) / 10)) : 0;
}

/** The mounted file system that holds `path`: the longest mount point that prefixes it. */
export function mountHolding<T extends { mount: string }>(mounts: T[], path: string): T | undefined {
  let best: T | undefined;
  for (const m of mounts) {
    const prefix = m.mount.endsWith('/') ? m.mount : `${m.mount}/`;
    if ((path === m.mount || path.startsWith(prefix)) && (!best || m.mount.length > best.mount.length)) best = m;
  }
  return best;
}
