import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fsyncDirectory, syncTree } from '../storage/atomicFile.js';
import { AppError } from '../../../src/api/errors.js';
import { assertConfigured } from '../../../src/update/operationGuard.js';
import type { BootControl } from '../boot/ports.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { NetworkMonitor } from '../platform/NetworkMonitor.js';
import type { AvailableSystem, SystemInstallPort } from '../../../src/recovery/ports.js';
import { BundleDownloader } from './download/BundleDownloader.js';
import { versionFloor, type Installer } from './Installer.js';
import type { CatalogEntry, UpdateCatalog } from './UpdateCatalog.js';

/**
 * The update lifecycle's side of recovery installs (SystemInstallPort): the catalog's newest full
 * system at or above the version floor, downloaded by the updates' downloader (resumed, checked
 * against the TUF-signed hash), installed by the one Installer (signature, manifest, floor, slot
 * read back, journal and trial boot). Nothing here writes a slot itself.
 */
export class SystemReinstall implements SystemInstallPort {
  private readonly downloader: BundleDownloader;
  private readonly entries = new Map<AvailableSystem, CatalogEntry>();

  constructor(
    private readonly needs: {
      catalog: UpdateCatalog | undefined;
      installer: Installer;
      boot: BootControl;
      network: NetworkMonitor;
      model: string;
      /** Where a downloaded system waits for its install (the data partition's state folder). */
      dir: string;
      log: SubsystemLogger;
    },
  ) {
    this.downloader = new BundleDownloader({
      network: needs.network,
      // Recovery is the wearer's explicit choice: a metered network is not a reason to wait.
      allowMetered: () => true,
      stateDir: needs.dir,
      inBackground: (what, promise) => void promise.catch((error: unknown) => needs.log.error(`recovery ${what} failed`, { error: String(error) })),
      log: needs.log,
    });
  }

  targetSlot() {
    return this.needs.boot.inactiveSlot();
  }

  async newestFullSystem(): Promise<AvailableSystem | undefined> {
    const catalog = assertConfigured(this.needs.catalog);
    const floor = versionFloor(await this.needs.boot.slotRecordsStore().read());
    const entry = await catalog.newestFull(this.needs.model, floor);
    if (!entry) return undefined;
    const system = { version: entry.version, bytes: entry.length };
    this.entries.set(system, entry);
    return system;
  }

  async download(system: AvailableSystem, signal: AbortSignal, onProgress: (bytes: number, total: number) => void): Promise<string> {
    const entry = this.entries.get(system);
    if (!entry) throw new AppError('INTERNAL', 'Download asked for a system the catalog did not offer.');
    await mkdir(this.needs.dir, { recursive: true });
    const path = join(this.needs.dir, entry.target.replace(/[^A-Za-z0-9._-]/g, '_'));
    const outcome = await this.downloader.download(entry, path, signal, async (bytes) => onProgress(bytes, entry.length));
    if (outcome.kind === 'failed') throw outcome.problem;
    if (outcome.kind === 'stopped') throw new AppError('INTERNAL', 'The recovery download was stopped.');
    return path;
  }

  async install(bundle: string, onProgress: (bytes: number, total: number) => void) {
    const record = await this.needs.installer.install(bundle, { recoveryFloor: true, onProgress });
    return { version: record.version, slot: record.target };
  }

  async stage(file: string): Promise<string> {
    await mkdir(this.needs.dir, { recursive: true });
    const staged = join(this.needs.dir, `usb-${basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}`);
    await copyFile(file, `${staged}.part`);
    await syncTree(`${staged}.part`);
    await rename(`${staged}.part`, staged);
    await fsyncDirectory(this.needs.dir);
    return staged;
  }

  async discard(bundle: string): Promise<void> {
    await rm(bundle, { force: true });
  }
}
