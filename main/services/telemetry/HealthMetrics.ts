import type { HealthSnapshot } from '../../../src/api/contract.js';
import type { MetricRecorder } from './MetricRecorder.js';

/**
 * Performance and hardware metrics from the health service's snapshots: the GPS's time to lock
 * whenever it changes, and a sample of load, memory, disk, temperature and battery at most every
 * `sampleEveryMs`.
 */
export class HealthMetrics {
  private snapshotsSeen = 0;
  private lastTimeToLockMs: number | null = null;
  private lastSampleAt = -Infinity;

  constructor(
    private readonly recorder: MetricRecorder,
    private readonly sampleEveryMs: number,
  ) {}

  /** Counts a snapshot: false for the first, whose load reading (systeminformation's first) is meaningless. */
  isMeaningful(): boolean {
    return ++this.snapshotsSeen !== 1;
  }

  async recordTimeToLock(snapshot: HealthSnapshot): Promise<void> {
    const gpsLock = snapshot.gps?.timeToLockMs ?? null;
    if (gpsLock === null || gpsLock === this.lastTimeToLockMs) return;
    this.lastTimeToLockMs = gpsLock;
    await this.recorder.record('gps.time_to_lock', Math.min(3600, gpsLock / 1000), {}, new Date(snapshot.takenAt));
  }

  /** True, once per period, when a sample is due at `nowMs`. */
  takesSampleAt(nowMs: number): boolean {
    if (nowMs - this.lastSampleAt < this.sampleEveryMs) return false;
    this.lastSampleAt = nowMs;
    return true;
  }

  async recordSample(snapshot: HealthSnapshot): Promise<void> {
    const at = new Date(snapshot.takenAt);
    await this.recorder.record('system.cpu_load', snapshot.cpuLoadPercent, {}, at);
    if (snapshot.memory.totalBytes > 0)
      await this.recorder.record('system.memory_used', snapshot.memory.usedBytes / snapshot.memory.totalBytes, {}, at);
    if (snapshot.disk.totalBytes > 0) await this.recorder.record('system.disk_used', snapshot.disk.usedBytes / snapshot.disk.totalBytes, {}, at);
    // ARM sensors report -1 when they have no reading.
    if (snapshot.temperatureC !== null && snapshot.temperatureC > -40)
      await this.recorder.record('hardware.temperature', snapshot.temperatureC, {}, at);
    if (snapshot.battery)
      await this.recorder.record('hardware.battery_charge', snapshot.battery.percent, { charging: snapshot.battery.charging }, at);
  }
}
