import { join } from 'node:path';
import type { UpdateHistoryEntry, UpdateOffer, UpdateSettings, UpdateState, UpdateStatus } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { AppError } from '../../../src/api/errors.js';
import { compareVersions } from '../../../src/update/version.js';
import { assertConfigured, assertNoOperationRunning, checkFailed, nothingToDo } from '../../../src/update/operationGuard.js';
import type { BootControl } from '../boot/ports.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { errorMessage } from '../../../src/errorText.js';
import type { NetworkMonitor } from '../platform/NetworkMonitor.js';
import type { PowerControl } from '../platform/PowerControl.js';
import { sleep } from './download/BandwidthLimiter.js';
import { BundleDownloader } from './download/BundleDownloader.js';
import type { BundleCache } from './BundleCache.js';
import type { InstallRecord } from './InstallJournal.js';
import type { Installer } from './Installer.js';
import { PeriodicCheck } from './PeriodicCheck.js';
import type { SlotPartitions } from './ports.js';
import { progressThrottle } from './progressThrottle.js';
import { RollbackSteps } from './RollbackSteps.js';
import type { CatalogEntry, UpdateCatalog } from './UpdateCatalog.js';
import { finishedInstallEntries, UpdateHistory } from './UpdateHistory.js';
import { UpdateStore } from './UpdateStore.js';

export { DEFAULT_UPDATE_SETTINGS } from './UpdateStore.js';

/** How often a check that waits for the network looks again (as a waiting download does). */
const NETWORK_POLL_MS = 2000;

export interface UpdateServiceOptions {
  catalog: UpdateCatalog | undefined;
  installer: Installer;
  boot: BootControl;
  /** Bundles of committed versions, for going back further than the other slot. */
  kept?: BundleCache;
  /** To verify a rollback target before switching to it. */
  partitions?: SlotPartitions;
  network: NetworkMonitor;
  power: Pick<PowerControl, 'reboot'> | undefined;
  model: string;
  stateDir: string;
  log?: SubsystemLogger;
  /** The fleet server's rollout offer, once one answered (undefined: any version; null: none). */
  fleet?: { allowedVersion(): string | null | undefined };
}

/**
 * The wearer's side of updates: check, download (resumable, throttled, network-aware), install,
 * restart into the trial, roll back. Every state change goes through setState and is pushed whole
 * on `status`; what must survive a restart (settings, the offer, the download's progress) is on disk.
 * The pieces: UpdateStore (what is saved), BundleDownloader, PeriodicCheck, UpdateHistory, RollbackSteps.
 */
export class UpdateService {
  readonly status = new StateChannel<UpdateStatus>();
  private state: UpdateState;
  private readonly store: UpdateStore;
  private readonly updateHistory: UpdateHistory;
  private readonly downloader: BundleDownloader;
  private readonly rollbackSteps: RollbackSteps;
  private readonly periodicCheck: PeriodicCheck;
  /** The running download's, to stop it (pause, stop). */
  private download: AbortController | undefined;
  /** A check asked for while offline, waiting for the network. */
  private checkWhenOnline: AbortController | undefined;
  private operation: string | undefined;
  private bootId: string | undefined;
  private unsubscribeBoot: (() => void) | undefined;

  constructor(private readonly options: UpdateServiceOptions) {
    this.state = options.catalog ? { status: 'idle' } : { status: 'unconfigured' };
    this.store = new UpdateStore(options.stateDir);
    this.periodicCheck = new PeriodicCheck(
      () => this.check(),
      () => this.store.settings.checkIntervalHours,
    );
    this.updateHistory = new UpdateHistory(join(options.stateDir, 'update-history.json'));
    this.downloader = new BundleDownloader({
      network: options.network,
      allowMetered: () => this.store.settings.allowMetered,
      stateDir: options.stateDir,
      inBackground: (what, promise) => this.inBackground(what, promise),
      log: options.log,
    });
    this.rollbackSteps = new RollbackSteps({
      catalog: options.catalog,
      boot: options.boot,
      kept: options.kept,
      partitions: options.partitions,
    });
  }

  /** Loads what survived the last run, resumes a download in progress, and starts periodic checks. */
  async start(): Promise<void> {
    await this.store.load();
    this.downloader.limitRate(this.store.settings.bandwidthLimitBytesPerSecond);
    const pending = await this.options.installer.pendingInstall();
    // Never offer what runs, or older: such an offer is left from an install that has landed (one
    // still under way, on trial too, needs its bundle: kept once it commits).
    const left = this.store.offer;
    if (pending.stage === 'none' && left && compareVersions(left.entry.version, (await this.current()).version) <= 0) await this.store.dropOffer();
    const saved = this.store.offer;
    let state = this.state;
    // The version from the journal: going back (to a kept version, or the other slot) saves no offer.
    if (pending.stage === 'awaiting-reboot') state = { status: 'ready-to-reboot', version: pending.version };
    else if (saved) {
      const offer = toOffer(saved.entry);
      state =
        saved.downloading || saved.paused
          ? { status: 'downloading', offer, bytes: 0, total: offer.downloadBytes, paused: saved.paused, waitingFor: null }
          : { status: 'available', offer };
    }
    await this.setState(state);
    // Resumed once the state says so: its first progress then follows the status it resumes from.
    if (pending.stage !== 'awaiting-reboot' && saved?.downloading && !saved.paused) this.startDownload();
    this.schedule();
    // A restart without a new process (the simulated power cycle): once the boot has been judged,
    // an install is no longer waiting for it, and the running version may have changed.
    this.bootId = this.options.boot.status.current()?.bootId;
    this.unsubscribeBoot = this.options.boot.status.subscribe((boot) => this.inBackground('boot status', this.onBootStatus(boot.bootId)));
  }

  stop(): void {
    this.periodicCheck.stop();
    this.checkWhenOnline?.abort();
    this.unsubscribeBoot?.();
    this.download?.abort();
  }

  private async onBootStatus(bootId: string): Promise<void> {
    if (bootId !== this.bootId && (await this.options.installer.pendingInstall()).stage !== 'awaiting-reboot') {
      this.bootId = bootId;
      // 'up-to-date' was about the system that ran before; the next check tells about this one.
      if (this.state.status === 'ready-to-reboot' || this.state.status === 'up-to-date') {
        await this.setState({ status: 'idle' });
        return;
      }
    }
    await this.publish();
  }

  async check(): Promise<UpdateStatus> {
    const catalog = assertConfigured(this.options.catalog);
    // Asked again while it waits for the network: it still waits.
    if (this.checkWhenOnline) return this.snapshot();
    assertNoOperationRunning(this.operation ?? (this.download ? 'downloading' : undefined));
    // Offline, a check would find nothing and say so: it waits for the network and runs then.
    if ((await this.options.network.state()) === 'offline') return this.waitForNetworkToCheck();
    this.operation = 'checking';
    await this.setState({ status: 'checking' });
    try {
      // Managed by a fleet server: only the version its rollout offers this headset, nothing without an offer.
      const allowed = this.options.fleet?.allowedVersion();
      const entry =
        allowed === null ? undefined : await catalog.newest(this.options.model, (await this.current()).version, { deltas: true, only: allowed });
      await this.store.saveLastCheck(new Date().toISOString());
      if (!entry) {
        await this.store.saveOffer(undefined);
        return await this.setState({ status: 'up-to-date' });
      }
      // The wearer is told, never updated silently: the offer waits for them.
      await this.store.saveOffer({ entry, downloading: false, paused: false });
      this.options.log?.info(`update ${entry.version} available (${entry.kind}, ${entry.length} bytes)`);
      return await this.setState({ status: 'available', offer: toOffer(entry) });
    } catch (error) {
      const problem = error instanceof AppError ? error : checkFailed((error as Error).message);
      await this.setState(failed(problem));
      throw problem;
    } finally {
      this.operation = undefined;
    }
  }

  private async waitForNetworkToCheck(): Promise<UpdateStatus> {
    const waiting = new AbortController();
    this.checkWhenOnline = waiting;
    this.operation = 'checking';
    this.options.log?.info('update check waits for the network');
    const status = await this.setState({ status: 'checking', waitingFor: 'network' });
    const wait = async () => {
      while (!waiting.signal.aborted && (await this.options.network.state()) === 'offline')
        await sleep(NETWORK_POLL_MS, waiting.signal).catch(() => undefined);
      if (waiting.signal.aborted) return;
      this.checkWhenOnline = undefined;
      this.operation = undefined;
      // A failed check is in the state (failed), as one the wearer started.
      await this.check().catch(() => undefined);
    };
    this.inBackground('check once online', wait());
    return status;
  }

  async startDownloadCall(): Promise<UpdateStatus> {
    assertNoOperationRunning(this.operation);
    const saved = this.store.offer;
    if (!saved) throw nothingToDo('No update is offered: check first.');
    if (this.download) return this.snapshot();
    await this.store.saveOffer({ ...saved, downloading: true, paused: false });
    this.startDownload();
    return this.snapshot();
  }

  async pause(): Promise<UpdateStatus> {
    const saved = this.store.offer;
    if (!saved?.downloading || saved.paused) throw nothingToDo('No download is running.');
    await this.store.saveOffer({ ...saved, paused: true });
    this.download?.abort();
    if (this.state.status === 'downloading') await this.setState({ ...this.state, paused: true, waitingFor: null });
    return this.snapshot();
  }

  async resume(): Promise<UpdateStatus> {
    const saved = this.store.offer;
    if (!saved?.paused) throw nothingToDo('No download is paused.');
    await this.store.saveOffer({ ...saved, paused: false, downloading: true });
    this.startDownload();
    return this.snapshot();
  }

  async install(): Promise<UpdateStatus> {
    assertNoOperationRunning(this.operation ?? (this.download ? 'downloading' : undefined));
    const saved = this.store.offer;
    if (this.state.status !== 'downloaded' || !saved) throw nothingToDo('No downloaded update to install.');
    const offer = this.state.offer;
    return this.installShowingProgress(offer, this.store.bundlePath(saved.entry), { failure: 'The install failed.' });
  }

  async restartIntoUpdate(): Promise<void> {
    if (this.state.status !== 'ready-to-reboot') throw nothingToDo('No installed update is waiting for a restart.');
    await this.reboot();
  }

  /**
   * Manual rollback. Without a version, or to the version in the other slot: that slot boots next;
   * always allowed, offline too (recovery depends on it). To an older kept version: reinstalled
   * from its kept bundle, only while the repository still lists it (a revoked version stays gone).
   * Either way a journalled transaction of the installer's, its data and history told at the
   * boot that tries it (InstallRecord.manualRollback), so a power cut cannot split it.
   */
  async rollback(version?: string): Promise<void> {
    assertNoOperationRunning(this.operation);
    const status = await this.snapshot();
    if (version !== undefined && version !== status.rollbackTo?.version) return this.reinstallKept(version);
    const target = status.rollbackTo;
    if (!target) throw nothingToDo('The other slot holds no system to go back to.');
    // Refused before anything changes: switched and never restarted, it would wait unseen.
    const restart = this.restarter();
    this.operation = 'going back';
    try {
      await this.rollbackSteps.verifyTarget(target.slot);
      await this.options.installer.goBackToOtherSlot();
    } finally {
      this.operation = undefined;
    }
    restart();
  }

  /**
   * Further back than the other slot: reinstall a kept bundle of an older version into the other
   * slot, as an ordinary install on trial, if the repository still vouches for that bundle. The
   * running version's data is set aside as for any install; the kept version's own comes back at
   * its trial boot, and the history tells of the going back once it commits: both are the
   * journalled install's (InstallRecord.manualRollback), so a power cut cannot lose them.
   */
  private async reinstallKept(version: string): Promise<void> {
    const kept = await this.rollbackSteps.keptBundleFor(version);
    // Shown like any install (installing -> ready-to-reboot -> restart): it takes minutes on a device.
    const offer: UpdateOffer = { version, notes: `Going back to the kept ${version}.`, downloadBytes: 0, installBytes: 0, kind: 'full' };
    await this.installShowingProgress(offer, kept.path, {
      manualRollback: true,
      // Its size is known once the installer has read the bundle.
      offerAt: (total) => ({ ...offer, installBytes: total }),
      failure: 'Reinstalling the kept version failed.',
    });
    await this.reboot();
  }

  /** An install into the other slot, shown as installing (with progress), then ready-to-reboot or failed. */
  private async installShowingProgress(
    offer: UpdateOffer,
    bundle: string,
    how: { failure: string; manualRollback?: true; offerAt?: (total: number) => UpdateOffer },
  ): Promise<UpdateStatus> {
    this.operation = 'installing';
    const reportNow = progressThrottle();
    try {
      await this.setState({ status: 'installing', offer, bytes: 0, total: offer.installBytes });
      await this.options.installer.install(bundle, {
        // Going back is a downgrade by definition.
        ...(how.manualRollback ? { allowDowngrade: true, manualRollback: true } : {}),
        onProgress: (bytes, total) => {
          if (!reportNow(bytes, total)) return;
          const shown = how.offerAt?.(total) ?? offer;
          this.inBackground('install progress', this.setState({ status: 'installing', offer: shown, bytes, total }));
        },
      });
      return await this.setState({ status: 'ready-to-reboot', version: offer.version });
    } catch (error) {
      await this.setState(failed(error instanceof AppError ? error : new AppError('INTERNAL', how.failure)));
      throw error;
    } finally {
      this.operation = undefined;
    }
  }

  async updateSettings(change: Partial<UpdateSettings>): Promise<UpdateStatus> {
    const settings = await this.store.saveSettings(change);
    this.downloader.limitRate(settings.bandwidthLimitBytesPerSecond);
    this.schedule();
    return this.publish();
  }

  async history(): Promise<UpdateHistoryEntry[]> {
    return this.updateHistory.newestFirst();
  }

  /**
   * The installer calls this when an install ends (committed, rolled back or failed), and again at
   * the next boot when a power cut came before it was done: every step is idempotent (a bundle
   * already kept is not kept again, an entry already in the history is not added again). A kept
   * version's reinstall that committed is the wearer's going back: its entry comes with it; going
   * back to the other slot is that entry alone.
   */
  async recordFinished(record: InstallRecord): Promise<void> {
    const entries = finishedInstallEntries(record);
    if (entries.length === 0) return;
    // Going back to the other slot installed no bundle, and leaves a newer offer standing.
    const installed = !record.manualRollback?.otherSlot;
    if (record.state.step === 'committed' && installed) await this.rollbackSteps.keepCommitted(record, this.store.offer?.entry);
    if (record.state.step !== 'failed') {
      if (installed) await this.store.dropOffer();
      // The restart the update waited for has happened and was judged: the status says so before
      // the history does, so whoever sees the entry also sees the slot to go back to.
      if (this.state.status === 'ready-to-reboot') {
        this.bootId = this.options.boot.status.current()?.bootId ?? this.bootId;
        await this.setState({ status: 'idle' });
      }
    }
    await this.updateHistory.append(...entries);
    // The history is read, not pushed: this status after the entry tells screens to read it again.
    await this.publish();
  }

  async snapshot(): Promise<UpdateStatus> {
    const current = await this.current();
    const boot = this.options.boot.status.current();
    const other = boot?.slots.find((slot) => !slot.active);
    return {
      state: this.state,
      settings: this.store.settings,
      lastCheck: this.store.lastCheck,
      current,
      // An installed update waiting for its restart is in the other slot: nothing to go back to.
      rollbackTo: other?.bootable && other.version && this.state.status !== 'ready-to-reboot' ? { slot: other.name, version: other.version } : null,
      keptVersions: await this.rollbackSteps.keptVersions(current.version),
    };
  }

  private startDownload(): void {
    const saved = this.store.offer;
    if (this.download || !saved) return;
    const controller = new AbortController();
    this.download = controller;
    const running = this.runDownload(saved.entry, controller.signal).finally(() => {
      if (this.download === controller) this.download = undefined;
    });
    this.inBackground('download', running);
  }

  private async runDownload(entry: CatalogEntry, signal: AbortSignal): Promise<void> {
    const offer = toOffer(entry);
    const outcome = await this.downloader.download(entry, this.store.bundlePath(entry), signal, (bytes, waitingFor) =>
      this.setState({ status: 'downloading', offer, bytes, total: entry.length, paused: false, waitingFor }),
    );
    if (outcome.kind === 'stopped') return;
    // Verified or failed, the offer stays, no longer downloading: to install, or to download again.
    await this.store.saveOffer({ entry, downloading: false, paused: false });
    if (outcome.kind === 'failed') {
      await this.setState(failed(outcome.problem));
      return;
    }
    // No longer downloading before anyone hears "downloaded": an install may follow at once.
    this.download = undefined;
    await this.setState({ status: 'downloaded', offer });
    this.options.log?.info(`update ${entry.version} downloaded and verified`);
  }

  private schedule(): void {
    if (this.options.catalog) this.periodicCheck.restart();
  }

  private async reboot(): Promise<void> {
    this.restarter()();
  }

  /** Restarts the headset shortly (the answer first); throws NOT_SUPPORTED at once where it cannot. */
  private restarter(): () => void {
    const power = this.options.power;
    if (!power) throw new AppError('NOT_SUPPORTED', 'This device profile cannot restart itself.');
    return () => void setTimeout(() => this.inBackground('restart', power.reboot()), 100);
  }

  private async current(): Promise<{ slot: 'A' | 'B'; version: string }> {
    const slot = this.options.boot.bootedSystemFacts().slot;
    const records = await this.options.boot.slotRecordsStore().read();
    return { slot, version: records[slot]?.version ?? '0.0.0' };
  }

  /**
   * A promise nobody awaits (progress pushed from a callback, a download running on): a rejection
   * is logged, never left unhandled, which would end headsetd in the middle of a slot write.
   */
  private inBackground(what: string, promise: Promise<unknown>): void {
    promise.catch((error: unknown) => this.options.log?.error(`update ${what} failed: ${errorMessage(error)}`));
  }

  /** The one way the state changes (as VS Code's update service): every transition is pushed whole. */
  private async setState(state: UpdateState): Promise<UpdateStatus> {
    this.state = state;
    return this.publish();
  }

  /** Pushes the status again without a transition: the settings, the boot or the history changed. */
  private async publish(): Promise<UpdateStatus> {
    const status = await this.snapshot();
    this.status.set(status);
    return status;
  }
}

function toOffer(entry: CatalogEntry): UpdateOffer {
  return { version: entry.version, notes: entry.notes, downloadBytes: entry.length, installBytes: entry.installBytes, kind: entry.kind };
}

function failed(problem: AppError): UpdateState {
  return { status: 'failed', error: { code: problem.code, message: problem.message } };
}
