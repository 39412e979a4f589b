import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { UpdateHistoryEntry, UpdateOffer, UpdateSettings, UpdateState, UpdateStatus } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { AppError } from '../../../src/api/errors.js';
import { nextCheckDelay } from '../../../src/update/checkSchedule.js';
import { compareVersions } from '../../../src/update/version.js';
import { checkFreeSpace, checkSlotReadback } from '../../../src/update/installability.js';
import { assertConfigured, assertNoOperationRunning, assertRollbackAllowed, checkFailed, nothingToDo } from '../../../src/update/operationGuard.js';
import type { BootControl } from '../boot/ports.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { errorDetail, errorMessage } from '../../../src/errorText.js';
import type { NetworkMonitor } from '../platform/NetworkMonitor.js';
import type { PowerControl } from '../platform/PowerControl.js';
import { fsyncDirectory, readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import { BandwidthLimiter, sleep } from './download/BandwidthLimiter.js';
import { DownloadError } from './download/DownloadError.js';
import { downloadOnce } from './download/ResumableDownload.js';
import type { BundleCache } from './BundleCache.js';
import type { DataSnapshots } from './DataSnapshots.js';
import type { InstallRecord } from './InstallJournal.js';
import type { Installer } from './Installer.js';
import type { SlotPartitions } from './ports.js';
import { recordedImages } from './recordedImages.js';
import { hashSlotPrefix } from './SlotWriter.js';
import type { CatalogEntry, UpdateCatalog } from './UpdateCatalog.js';

export const DEFAULT_UPDATE_SETTINGS: UpdateSettings = { bandwidthLimitBytesPerSecond: null, allowMetered: false, checkIntervalHours: 6 };

interface SavedOffer {
  entry: CatalogEntry;
  /** The wearer asked for the download (and has not paused it). */
  downloading: boolean;
  paused: boolean;
}

export interface UpdateServiceOptions {
  catalog: UpdateCatalog | undefined;
  installer: Installer;
  boot: BootControl;
  snapshots?: DataSnapshots;
  /** Bundles of committed versions, for going back further than the other slot. */
  kept?: BundleCache;
  /** To verify a rollback target before switching to it. */
  partitions?: SlotPartitions;
  network: NetworkMonitor;
  power: PowerControl | undefined;
  model: string;
  stateDir: string;
  log?: SubsystemLogger;
}

/**
 * The wearer's side of updates: check, download (resumable, throttled, network-aware), install,
 * restart into the trial, roll back. Every state change is pushed whole on `status`; what must
 * survive a restart (settings, the offer, the download's progress) is on disk.
 */
export class UpdateService {
  readonly status = new StateChannel<UpdateStatus>();
  private state: UpdateState;
  private settings: UpdateSettings = DEFAULT_UPDATE_SETTINGS;
  private lastCheck: string | null = null;
  private offer: SavedOffer | undefined;
  private readonly limiter = new BandwidthLimiter();
  private download: AbortController | undefined;
  private operation: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failedChecks = 0;
  private bootId: string | undefined;
  private unsubscribeBoot: (() => void) | undefined;

  constructor(private readonly options: UpdateServiceOptions) {
    this.state = options.catalog ? { status: 'idle' } : { status: 'unconfigured' };
  }

  private get cacheDir(): string {
    return join(this.options.stateDir, 'update-cache');
  }

  /** Loads what survived the last run, resumes a download in progress, and starts periodic checks. */
  async start(): Promise<void> {
    this.settings = { ...DEFAULT_UPDATE_SETTINGS, ...(await readJsonIfExists<UpdateSettings>(this.file('update-settings.json'))) };
    this.limiter.setRate(this.settings.bandwidthLimitBytesPerSecond ?? Infinity);
    this.lastCheck = (await readJsonIfExists<{ at: string }>(this.file('update-last-check.json')))?.at ?? null;
    this.offer = await readJsonIfExists<SavedOffer>(this.file('update-offer.json'));
    const pending = await this.options.installer.pendingInstall();
    // Never offer what runs, or older: such an offer is left from an install that has landed (one
    // still under way, on trial too, needs its bundle: kept once it commits).
    if (pending === 'none' && this.offer && compareVersions(this.offer.entry.version, (await this.current()).version) <= 0) await this.dropOffer();
    if (pending === 'awaiting-reboot') this.state = { status: 'ready-to-reboot', version: this.offer?.entry.version ?? '' };
    else if (this.offer) {
      const offer = toOffer(this.offer.entry);
      if (this.offer.downloading || this.offer.paused) {
        this.state = { status: 'downloading', offer, bytes: 0, total: offer.downloadBytes, paused: this.offer.paused, waitingFor: null };
        if (!this.offer.paused) this.startDownload();
      } else this.state = { status: 'available', offer };
    }
    await this.publish();
    this.schedule();
    // A restart without a new process (the simulated power cycle): once the boot has been judged,
    // an install is no longer waiting for it, and the running version may have changed.
    this.bootId = this.options.boot.status.current()?.bootId;
    this.unsubscribeBoot = this.options.boot.status.subscribe((boot) => this.inBackground('boot status', this.onBootStatus(boot.bootId)));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.unsubscribeBoot?.();
    this.download?.abort();
  }

  private async onBootStatus(bootId: string): Promise<void> {
    if (bootId !== this.bootId && (await this.options.installer.pendingInstall()) !== 'awaiting-reboot') {
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
    assertNoOperationRunning(this.operation ?? (this.download ? 'downloading' : undefined));
    this.operation = 'checking';
    await this.setState({ status: 'checking' });
    try {
      const entry = await catalog.newest(this.options.model, (await this.current()).version, { deltas: true });
      this.lastCheck = new Date().toISOString();
      await writeFileAtomic(this.file('update-last-check.json'), JSON.stringify({ at: this.lastCheck }));
      if (!entry) {
        await this.saveOffer(undefined);
        return await this.setState({ status: 'up-to-date' });
      }
      // The wearer is told, never updated silently: the offer waits for them.
      await this.saveOffer({ entry, downloading: false, paused: false });
      this.options.log?.info(`update ${entry.version} available (${entry.kind}, ${entry.length} bytes)`);
      return await this.setState({ status: 'available', offer: toOffer(entry) });
    } catch (error) {
      const problem = error instanceof AppError ? error : checkFailed((error as Error).message);
      await this.setState({ status: 'failed', error: { code: problem.code, message: problem.message } });
      throw problem;
    } finally {
      this.operation = undefined;
    }
  }

  async startDownloadCall(): Promise<UpdateStatus> {
    assertNoOperationRunning(this.operation);
    if (!this.offer) throw nothingToDo('No update is offered: check first.');
    if (this.download) return this.snapshot();
    await this.saveOffer({ ...this.offer, downloading: true, paused: false });
    this.startDownload();
    return this.snapshot();
  }

  async pause(): Promise<UpdateStatus> {
    if (!this.offer?.downloading || this.offer.paused) throw nothingToDo('No download is running.');
    await this.saveOffer({ ...this.offer, paused: true });
    this.download?.abort();
    if (this.state.status === 'downloading') await this.setState({ ...this.state, paused: true, waitingFor: null });
    return this.snapshot();
  }

  async resume(): Promise<UpdateStatus> {
    if (!this.offer?.paused) throw nothingToDo('No download is paused.');
    await this.saveOffer({ ...this.offer, paused: false, downloading: true });
    this.startDownload();
    return this.snapshot();
  }

  async install(): Promise<UpdateStatus> {
    assertNoOperationRunning(this.operation ?? (this.download ? 'downloading' : undefined));
    if (this.state.status !== 'downloaded' || !this.offer) throw nothingToDo('No downloaded update to install.');
    const offer = this.state.offer;
    this.operation = 'installing';
    let lastProgress = 0;
    try {
      await this.setState({ status: 'installing', offer, bytes: 0, total: offer.installBytes });
      await this.options.installer.install(this.bundlePath(this.offer.entry), {
        onProgress: (bytes, total) => {
          const now = Date.now();
          if (now - lastProgress < 200 && bytes < total) return;
          lastProgress = now;
          this.inBackground('install progress', this.setState({ status: 'installing', offer, bytes, total }));
        },
      });
      return await this.setState({ status: 'ready-to-reboot', version: offer.version });
    } catch (error) {
      const problem = error instanceof AppError ? error : new AppError('INTERNAL', 'The install failed.');
      await this.setState({ status: 'failed', error: { code: problem.code, message: problem.message } });
      throw error;
    } finally {
      this.operation = undefined;
    }
  }

  async restartIntoUpdate(): Promise<void> {
    if (this.state.status !== 'ready-to-reboot') throw nothingToDo('No installed update is waiting for a restart.');
    await this.reboot();
  }

  /**
   * Manual rollback. Without a version, or to the version in the other slot: that slot boots next;
   * always allowed, offline too (recovery depends on it). To an older kept version: reinstalled
   * from its kept bundle, only while the repository still lists it (a revoked version stays gone).
   */
  async rollback(version?: string): Promise<void> {
    assertNoOperationRunning(this.operation);
    const status = await this.snapshot();
    if (version !== undefined && version !== status.rollbackTo?.version) return this.reinstallKept(version);
    const target = status.rollbackTo;
    if (!target) throw nothingToDo('The other slot holds no system to go back to.');
    const current = await this.current();
    await this.verifyRollbackTarget(target.slot);
    // The data the current version runs with, for coming forward again; and the other version's own.
    await this.options.snapshots?.take(current.version);
    await this.options.boot.preferSlot(target.slot);
    await this.options.snapshots?.restore(target.version);
    await this.appendHistory({
      version: target.version,
      fromVersion: current.version,
      slot: target.slot,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      outcome: 'manual-rollback',
      detail: `Back from ${current.version} to ${target.version} at the wearer's request.`,
    });
    await this.reboot();
  }

  /**
   * Further back than the other slot: reinstall a kept bundle of an older version into the other
   * slot, as an ordinary install on trial, if the repository still vouches for that bundle.
   */
  private async reinstallKept(version: string): Promise<void> {
    const kept = await this.options.kept?.get(version);
    if (!kept) throw nothingToDo(`No bundle of version ${version} is kept on this headset.`);
    const catalog = assertConfigured(this.options.catalog);
    assertRollbackAllowed(await catalog.vouchesFor(version, kept.sha256), version);
    const current = await this.current();
    this.operation = 'installing';
    // Shown like any install (installing -> ready-to-reboot -> restart): it takes minutes on a device.
    const offer: UpdateOffer = { version, notes: `Going back to the kept ${version}.`, downloadBytes: 0, installBytes: 0, kind: 'full' };
    let lastProgress = 0;
    try {
      await this.setState({ status: 'installing', offer, bytes: 0, total: 0 });
      await this.options.snapshots?.take(current.version);
      await this.options.installer.install(kept.path, {
        allowDowngrade: true,
        onProgress: (bytes, total) => {
          const now = Date.now();
          if (now - lastProgress < 200 && bytes < total) return;
          lastProgress = now;
          this.inBackground('install progress', this.setState({ status: 'installing', offer: { ...offer, installBytes: total }, bytes, total }));
        },
      });
      await this.setState({ status: 'ready-to-reboot', version });
    } catch (error) {
      const problem = error instanceof AppError ? error : new AppError('INTERNAL', 'Reinstalling the kept version failed.');
      await this.setState({ status: 'failed', error: { code: problem.code, message: problem.message } });
      throw error;
    } finally {
      this.operation = undefined;
    }
    await this.options.snapshots?.restore(version);
    await this.appendHistory({
      version,
      fromVersion: current.version,
      slot: this.options.boot.inactiveSlot(),
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      outcome: 'manual-rollback',
      detail: `Back from ${current.version} to the kept ${version} at the wearer's request.`,
    });
    await this.reboot();
  }

  /** A slot to go back to must still hold exactly the image recorded for it: never switch to a damaged one. */
  private async verifyRollbackTarget(slot: 'A' | 'B'): Promise<void> {
    const record = (await this.options.boot.slotRecordsStore().read())[slot];
    if (!record || !this.options.partitions) return;
    // Every image the slot's record vouches for (rootfs, and a boot image where one was written).
    for (const [name, image] of Object.entries(recordedImages(record))) {
      const partition = this.options.partitions.partition(slot, name);
      const sha256 = partition ? await hashSlotPrefix(partition.path, image.length).catch(() => '') : '';
      checkSlotReadback(name, image, { length: image.length, sha256 });
    }
  }

  async updateSettings(change: Partial<UpdateSettings>): Promise<UpdateStatus> {
    this.settings = { ...this.settings, ...change };
    await writeFileAtomic(this.file('update-settings.json'), JSON.stringify(this.settings));
    this.limiter.setRate(this.settings.bandwidthLimitBytesPerSecond ?? Infinity);
    this.schedule();
    return this.publish();
  }

  async history(): Promise<UpdateHistoryEntry[]> {
    return ((await readJsonIfExists<UpdateHistoryEntry[]>(this.file('update-history.json'))) ?? []).slice().reverse();
  }

  /**
   * The installer calls this when an install ends (committed, rolled back or failed), and again at
   * the next boot when a power cut came before it was done: every step is idempotent (a bundle
   * already kept is not kept again, an entry already in the history is not added again).
   */
  async recordFinished(record: InstallRecord): Promise<void> {
    const state = record.state;
    if (state.step !== 'committed' && state.step !== 'rolled-back' && state.step !== 'failed') return;
    const outcome =
      state.step === 'failed' ? `${state.code}: ${state.message}` : state.step === 'rolled-back' ? state.reason : 'Installed, tried and committed.';
    // Services that did not start again after the slot write are part of what happened.
    const problems = record.services?.problems ?? [];
    const detail = problems.length === 0 ? outcome : `${outcome} Not started again after the install: ${problems.join('; ')}`;
    // Kept to go back to later without a download (the newest few); gone from its place once kept.
    if (state.step === 'committed' && (await exists(record.bundle))) {
      const sha256 = this.offer?.entry.version === record.version ? this.offer.entry.sha256 : await sha256File(record.bundle).catch(() => undefined);
      if (sha256) await this.options.kept?.keep(record.bundle, record.version, sha256).catch(() => undefined);
    }
    if (state.step !== 'failed') {
      await this.dropOffer();
      // The restart the update waited for has happened and was judged: the status says so before
      // the history does, so whoever sees the entry also sees the slot to go back to.
      if (this.state.status === 'ready-to-reboot') {
        this.bootId = this.options.boot.status.current()?.bootId ?? this.bootId;
        await this.setState({ status: 'idle' });
      }
    }
    await this.appendHistory({
      version: record.version,
      fromVersion: record.fromVersion,
      slot: record.target,
      startedAt: record.startedAt,
      finishedAt: state.at,
      outcome: state.step,
      detail,
    });
    // The history is read, not pushed: this status after the entry tells screens to read it again.
    await this.publish();
  }

  async snapshot(): Promise<UpdateStatus> {
    const current = await this.current();
    const boot = this.options.boot.status.current();
    const other = boot?.slots.find((slot) => !slot.active);
    return {
      state: this.state,
      settings: this.settings,
      lastCheck: this.lastCheck,
      current,
      // An installed update waiting for its restart is in the other slot: nothing to go back to.
      rollbackTo: other?.bootable && other.version && this.state.status !== 'ready-to-reboot' ? { slot: other.name, version: other.version } : null,
      keptVersions: ((await this.options.kept?.versions()) ?? []).filter((v) => v !== current.version),
    };
  }

  private startDownload(): void {
    if (this.download || !this.offer) return;
    const controller = new AbortController();
    this.download = controller;
    const running = this.runDownload(this.offer.entry, controller.signal).finally(() => {
      if (this.download === controller) this.download = undefined;
    });
    this.inBackground('download', running);
  }

  /** Attempts until the file is complete and verified, resuming each time; waits out bad networks. */
  private async runDownload(entry: CatalogEntry, signal: AbortSignal): Promise<void> {
    const offer = toOffer(entry);
    let bytes = 0;
    let lastProgress = 0;
    const progress = (waitingFor: 'network' | 'unmetered-network' | 'retry' | null) =>
      this.setState({ status: 'downloading', offer, bytes, total: entry.length, paused: false, waitingFor });
    for (let attempt = 0; !signal.aborted; attempt++) {
      const network = await this.options.network.state();
      if (network === 'offline' || (network === 'metered' && !this.settings.allowMetered)) {
        await progress(network === 'offline' ? 'network' : 'unmetered-network');
        await sleep(2000, signal).catch(() => undefined);
        attempt = 0;
        continue;
      }
      await progress(null);
      try {
        const partial = (await stat(`${this.bundlePath(entry)}.part`).catch(() => undefined))?.size ?? 0;
        const disk = await statfs(this.options.stateDir);
        checkFreeSpace(entry.length - partial, disk.bavail * disk.bsize);
        await downloadOnce(
          { url: entry.url, path: this.bundlePath(entry), length: entry.length, sha256: entry.sha256 },
          {
            limiter: this.limiter,
            signal,
            onProgress: (done) => {
              bytes = done;
              // Progress is pushed at most 5 times a second: every chunk would flood the UI and the log.
              const now = Date.now();
              if (now - lastProgress < 200 && done < entry.length) return;
              lastProgress = now;
              this.inBackground('download progress', progress(null));
            },
          },
        );
        await this.saveOffer({ entry, downloading: false, paused: false });
        // No longer downloading before anyone hears "downloaded": an install may follow at once.
        this.download = undefined;
        await this.setState({ status: 'downloaded', offer });
        this.options.log?.info(`update ${entry.version} downloaded and verified`);
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof DownloadError && error.retryable) {
          // Back off with jitter (and the server's Retry-After), capped at 5 minutes.
          const wait =
            error.retryAfterSeconds !== undefined
              ? error.retryAfterSeconds * 1000
              : Math.min(300_000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
          await progress('retry');
          await sleep(wait, signal).catch(() => undefined);
          continue;
        }
        if (!(error instanceof DownloadError) && !(error instanceof AppError))
          this.options.log?.error('download failed unexpectedly', { error: errorDetail(error) });
        const problem =
          error instanceof DownloadError
            ? checkFailed(error.message, { download: error.code })
            : error instanceof AppError
              ? error
              : new AppError('INTERNAL', 'The download failed.');
        await this.saveOffer({ entry, downloading: false, paused: false });
        await this.setState({ status: 'failed', error: { code: problem.code, message: problem.message } });
        return;
      }
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.options.catalog) return;
    const interval = this.settings.checkIntervalHours * 3_600_000;
    this.timer = setTimeout(
      () => {
        void this.check()
          .then(() => (this.failedChecks = 0))
          .catch(() => this.failedChecks++)
          .finally(() => this.schedule());
      },
      nextCheckDelay(interval, this.failedChecks),
    );
    this.timer.unref();
  }

  private async reboot(): Promise<void> {
    const power = this.options.power;
    if (!power) throw new AppError('NOT_SUPPORTED', 'This device profile cannot restart itself.');
    setTimeout(() => this.inBackground('restart', power.reboot()), 100);
  }

  private async current(): Promise<{ slot: 'A' | 'B'; version: string }> {
    const slot = this.options.boot.bootedSystemFacts().slot;
    const records = await this.options.boot.slotRecordsStore().read();
    return { slot, version: records[slot]?.version ?? '0.0.0' };
  }

  private bundlePath(entry: CatalogEntry): string {
    return join(this.cacheDir, entry.target.replace(/[^A-Za-z0-9._-]/g, '_'));
  }

  private async saveOffer(offer: SavedOffer | undefined): Promise<void> {
    this.offer = offer;
    if (offer) await writeFileAtomic(this.file('update-offer.json'), JSON.stringify(offer));
    else {
      await rm(this.file('update-offer.json'), { force: true });
      // Durable before anyone relies on it: a cut must not bring the offer back.
      await fsyncDirectory(this.options.stateDir);
    }
  }

  /** Forgets the offer and its download (installed, rolled back, or left behind). */
  private async dropOffer(): Promise<void> {
    this.offer = undefined;
    await rm(this.file('update-offer.json'), { force: true });
    await rm(this.cacheDir, { recursive: true, force: true });
    await fsyncDirectory(this.options.stateDir);
  }

  private async appendHistory(entry: UpdateHistoryEntry): Promise<void> {
    const history = (await readJsonIfExists<UpdateHistoryEntry[]>(this.file('update-history.json'))) ?? [];
    // Recorded again after a power cut: an entry already there stays the only one.
    if (history.some((known) => known.version === entry.version && known.startedAt === entry.startedAt && known.outcome === entry.outcome)) return;
    history.push(entry);
    await writeFileAtomic(this.file('update-history.json'), JSON.stringify(history.slice(-50), null, 2));
  }

  /**
   * A promise nobody awaits (progress pushed from a callback, a download running on): a rejection
   * is logged, never left unhandled, which would end headsetd in the middle of a slot write.
   */
  private inBackground(what: string, promise: Promise<unknown>): void {
    promise.catch((error: unknown) => this.options.log?.error(`update ${what} failed: ${errorMessage(error)}`));
  }

  private async setState(state: UpdateState): Promise<UpdateStatus> {
    this.state = state;
    return this.publish();
  }

  private async publish(): Promise<UpdateStatus> {
    const status = await this.snapshot();
    this.status.set(status);
    return status;
  }

  private file(name: string): string {
    return join(this.options.stateDir, name);
  }
}

function toOffer(entry: CatalogEntry): UpdateOffer {
  return { version: entry.version, notes: entry.notes, downloadBytes: entry.length, installBytes: entry.installBytes, kind: entry.kind };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
