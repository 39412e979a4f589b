import type { BootStatus } from '../../../src/api/contract.js';
import type { MetricRecorder } from './MetricRecorder.js';

/** The installed version, recorded once per boot. */
export class BootMetrics {
  private lastBootId: string | undefined;

  constructor(private readonly recorder: MetricRecorder) {}

  async onBoot(status: BootStatus): Promise<void> {
    if (status.bootId === this.lastBootId) return;
    this.lastBootId = status.bootId;
    const version = status.slots.find((slot) => slot.name === status.activeSlot)?.version;
    if (version) await this.recorder.record('system.installed_version', null, { version, slot: status.activeSlot });
  }
}
