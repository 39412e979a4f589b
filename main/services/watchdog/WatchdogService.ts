import type { WatchdogDevice } from './ports.js';

/**
 * Pets the watchdog only while the system proves healthy: the health check must answer within the
 * pet interval. A hang (an event loop stuck, a service that never answers) stops the petting, and
 * the watchdog restarts the headset; during a trial boot that spends one of its tries.
 */
export class WatchdogService {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly device: WatchdogDevice,
    private readonly healthy: () => Promise<boolean>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.stop();
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async release(): Promise<void> {
    this.stop();
    await this.device.release();
  }

  private async tick(): Promise<void> {
    // A check still running from the last tick is itself a hang: do not pile up, do not pet.
    if (this.checking) return;
    this.checking = true;
    try {
      const ok = await Promise.race([this.healthy(), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), this.intervalMs).unref())]);
      if (ok) await this.device.pet();
    } catch {
      // Unhealthy: no pet.
    } finally {
      this.checking = false;
    }
  }
}
