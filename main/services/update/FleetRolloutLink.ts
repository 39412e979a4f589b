import { join } from 'node:path';
import type { UpdateState } from '../../../src/api/contract.js';
import type { RolloutDeviceStatus, UpdateOffer, UpdateReport } from '../../../src/fleet/updateApi.js';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { InstallRecord } from './InstallJournal.js';

/** What is kept across restarts (temp, fsync, rename): a report not yet delivered must not be lost to a reboot, nor the offer. */
interface Saved {
  version: 1;
  /** A fleet server answered a check-in at least once: from then on only what it offers is installed. */
  managed: boolean;
  offer: UpdateOffer | null;
  /** The rollout whose version this headset is downloading or installing (kept if the offer is withdrawn meanwhile). */
  working: UpdateOffer | null;
  /** Reports waiting for the next check-in, oldest first. */
  reports: UpdateReport[];
}

const MAX_QUEUED = 8;
const EMPTY: Saved = { version: 1, managed: false, offer: null, working: null, reports: [] };

/**
 * Between the update lifecycle and the fleet server's rollouts (server/updates): the offer each
 * check-in brings limits which version a check may propose (once a server answered, only the offered
 * one), and what the lifecycle does with that version is queued as reports (downloading, installed,
 * committed, rolled back, failed) that the next signed check-in carries. Without a fleet server
 * nothing here changes anything: the headset follows its repository as before.
 *
 *   offer --download starts--> downloading --ready to reboot--> installed --boot judged--> committed | rolled_back
 *                  \--------------------- failed (download or install refused) ---------------/
 */
export class FleetRolloutLink {
  /** Changes one at a time: a report queued while a check-in's answer is saved is not lost. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private saved: Saved,
  ) {}

  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  static async open(stateDir: string): Promise<FleetRolloutLink> {
    const path = join(stateDir, 'fleet-rollout.json');
    const saved = await readJsonIfExists<Saved>(path).catch(() => undefined);
    return new FleetRolloutLink(path, saved?.version === 1 ? saved : { ...EMPTY });
  }

  /** undefined: no fleet server has answered, any version may be offered; else the one version allowed (null: none). */
  allowedVersion(): string | null | undefined {
    return this.saved.managed ? (this.saved.offer?.version ?? null) : undefined;
  }

  /** Reports for the next check-in. */
  pendingReports(): UpdateReport[] {
    return [...this.saved.reports];
  }

  /** A check-in was answered: the reports it carried are delivered, and this is the offer now. */
  answered(offer: UpdateOffer | null, delivered: readonly UpdateReport[]): Promise<void> {
    return this.serial(() => this.applyAnswer(offer, delivered));
  }

  private async applyAnswer(offer: UpdateOffer | null, delivered: readonly UpdateReport[]): Promise<void> {
    const reports = this.saved.reports.filter((r) => !delivered.some((d) => d.rolloutId === r.rolloutId && d.status === r.status));
    await this.save({ ...this.saved, managed: true, offer, reports });
  }

  /** Every state the update lifecycle publishes: what concerns the offered (or worked-on) version is reported. */
  observe(state: UpdateState): Promise<void> {
    return this.serial(() => this.applyState(state));
  }

  private async applyState(state: UpdateState): Promise<void> {
    const target = this.saved.working ?? this.saved.offer;
    if (!target) return;
    if (state.status === 'downloading' && state.offer.version === target.version) {
      if (!this.saved.working) await this.save({ ...this.saved, working: target });
      await this.report('downloading');
    } else if (state.status === 'ready-to-reboot' && state.version === target.version) {
      await this.report('installed');
    } else if (state.status === 'failed' && this.saved.working) {
      await this.report('failed', state.error.code, true);
    }
  }

  /** An install ended (at the boot that judged it, or at once when it failed). */
  finished(record: InstallRecord): Promise<void> {
    return this.serial(() => this.applyFinished(record));
  }

  private async applyFinished(record: InstallRecord): Promise<void> {
    const working = this.saved.working ?? this.saved.offer;
    if (!working || record.version !== working.version) return;
    if (record.state.step === 'committed') await this.report('committed', undefined, true);
    else if (record.state.step === 'rolled-back') await this.report('rolled_back', record.state.reason.slice(0, 200), true);
    else if (record.state.step === 'failed') await this.report('failed', record.state.code, true);
  }

  private async report(status: Exclude<RolloutDeviceStatus, 'offered'>, detail?: string, final = false): Promise<void> {
    const target = this.saved.working ?? this.saved.offer;
    if (!target) return;
    const last = [...this.saved.reports].reverse().find((r) => r.rolloutId === target.rolloutId);
    if (last?.status === status) return;
    const report: UpdateReport = { rolloutId: target.rolloutId, version: target.version, status, ...(detail ? { detail } : {}) };
    // Bounded: the newest say where the headset is; an older step is implied by a later one.
    const reports = [...this.saved.reports, report].slice(-MAX_QUEUED);
    await this.save({ ...this.saved, reports, working: final ? null : (this.saved.working ?? target) });
  }

  private async save(next: Saved): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(next));
    this.saved = next;
  }
}
