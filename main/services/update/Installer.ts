import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../../src/api/errors.js';
import { checkBootSpace, checkInstallable, serviceStopFailed } from '../../../src/update/installability.js';
import type { BootPartitionSpace } from '../boot/BootPartitionSpace.js';
import { assertNoOperationRunning, nothingToDo } from '../../../src/update/operationGuard.js';
import type { TrustedKey } from '../../../src/update/verify.js';
import type { BootControl, SlotRecords } from '../boot/ports.js';
import { compareVersions } from '../../../src/update/version.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { isDeltaImage } from '../../../src/update/delta.js';
import type { BundleManifest } from '../../../src/update/manifest.js';
import { BundleReader } from './BundleReader.js';
import type { DataSnapshots } from './DataSnapshots.js';
import { checkDeltaSourceFile, deltaSlotFiller, type CheckedSource } from './DeltaApplier.js';
import { isFinished, type InstallJournal, type InstallRecord, type InstallStep } from './InstallJournal.js';
import type { SlotPartitions } from './ports.js';
import type { ServiceControl } from '../platform/ServiceControl.js';
import { writeImageToSlot } from './SlotWriter.js';
import { firstDifferingImage } from './recordedImages.js';

export interface InstallerOptions {
  boot: BootControl;
  partitions: SlotPartitions;
  journal: InstallJournal;
  trusted: readonly TrustedKey[];
  model: string;
  /** Called after each chunk reaches a slot: the seam where tests cut the power mid-write. */
  afterChunk?: (bytes: number, slotPath: string) => void | Promise<void>;
  log?: SubsystemLogger;
  /**
   * Where a delta's source image is copied when the slot is larger than it (needs that much room):
   * the device's state folder. The copies live in its `delta-sources` folder, removed when an install
   * ends and, after a power cut, at the next boot. Default: a folder of this Installer's own in the
   * OS temporary folder.
   */
  tempDir?: string;
  /** The user's data, snapshot before each install and restored when its version comes back. */
  snapshots?: DataSnapshots;
  /** The versions of the headset's components, for the bundle's `requires` (ComponentRegistry). */
  components?: () => Promise<Readonly<Record<string, string>>>;
  /** Stops the services an update touches before the slot is written, starts them after (systemd). */
  services?: ServiceControl;
  /** The boot partition's room, checked before anything is written (the `boot` image and the environment's rewrite). */
  bootSpace?: BootPartitionSpace;
}

/** What the boot found and did about an update in flight. */
export type BootOutcome =
  | 'none'
  | 'resumed' // an install cut short was carried on to "await reboot"
  | 'pending-reboot' // installed, this boot is not the one that tries it yet
  | 'trial-healthy' // the trial boot's images and services are sound: commitTrial() once headsetd is reachable
  | 'committed' // the trial boot was healthy: the new slot is now the good one
  | 'trial-failed' // the trial boot is not healthy: do not commit, reboot (its tries run out)
  | 'rolled-back'; // the bootloader fell back to the old slot

/**
 * Installs a verified bundle into the inactive slot and sees it through its trial boot. Every step
 * is journalled before it is taken (InstallJournal); `onBoot` resumes whatever a power cut
 * interrupted, and decides on the trial.
 */
export class Installer {
  private running: string | undefined;
  /** The bookkeeping of a finished step under way (report): a new record must not overtake it. */
  private reporting: Promise<void> | undefined;
  private readonly finishedListeners: ((record: InstallRecord) => void | Promise<void>)[] = [];
  /** The delta sources checked before this install touched anything, by image name. */
  private readonly checkedSources = new Map<string, CheckedSource>();
  /** The private copies of those sources, zstd's references (see checkDeltaSourceFile). */
  private readonly sourceCopies: string;

  constructor(private readonly options: InstallerOptions) {
    this.sourceCopies = options.tempDir === undefined ? join(tmpdir(), `hc-delta-sources-${randomUUID()}`) : join(options.tempDir, 'delta-sources');
  }

  /**
   * Told when an install ends: committed, rolled back or failed (the update history and state, the
   * kept bundle). Must be idempotent: after a cut it is told again at the next boot, with the same record.
   */
  onFinished(listener: (record: InstallRecord) => void | Promise<void>): void {
    this.finishedListeners.push(listener);
  }

  /** Verifies and writes `bundle` into the inactive slot, then makes it the next boot's trial. */
  async install(
    bundle: string,
    options: {
      onProgress?: (bytes: number, total: number) => void;
      allowDowngrade?: boolean;
      /** Going back to a kept version: its data comes back at its trial boot (InstallRecord.manualRollback). */
      manualRollback?: boolean;
      /**
       * Recovery's repair of a damaged system: the version floor is the newest version either slot
       * records (the running slot may be the damaged one), and that version itself may be installed again.
       */
      recoveryFloor?: boolean;
    } = {},
  ): Promise<InstallRecord> {
    assertNoOperationRunning(this.running);
    this.running = 'installing';
    try {
      // The last install's end recorded first: its journal entry must not overwrite this one's.
      await this.reporting?.catch(() => undefined);
      const { boot } = this.options;
      const booted = boot.bootedSystemFacts();
      const records = await boot.slotRecordsStore().read();
      const fromVersion = records[booted.slot]?.version ?? '0.0.0';
      const reader = await BundleReader.open(bundle, { trusted: this.options.trusted });
      try {
        const components = await this.options.components?.();
        const installedVersion = options.recoveryFloor ? versionFloor(records) : fromVersion;
        checkInstallable(
          reader.manifest,
          { model: this.options.model, installedVersion, partitions: this.options.partitions.sizes(), components },
          { allowDowngrade: options.allowDowngrade, allowReinstall: options.recoveryFloor },
        );
        // A delta must patch exactly the image that runs: checked before anything is touched.
        await this.checkDeltaSources(reader.manifest);
        if (this.options.bootSpace) {
          const bootBytes = reader.manifest.images
            .filter((image) => image.slot === 'boot')
            .reduce((sum, image) => sum + image.uncompressed.length, 0);
          checkBootSpace(bootBytes, await this.options.bootSpace.roomFor(boot.inactiveSlot()));
        }
      } catch (error) {
        await reader.close();
        throw error;
      }
      const record: InstallRecord = {
        bundle,
        version: reader.manifest.version,
        fromVersion,
        target: boot.inactiveSlot(),
        startedAt: new Date().toISOString(),
        state: { step: 'mark-unbootable' },
        ...(options.manualRollback ? { manualRollback: {} } : {}),
      };
      // The data as the running version left it, to give back if the headset returns to it.
      await this.options.snapshots?.take(fromVersion).catch(async (error: unknown) => {
        await reader.close();
        throw error;
      });
      return await this.carryOut(record, reader, options.onProgress);
    } finally {
      // On every way out (installed, refused, failed): no copy of a source is left behind.
      await this.releaseDeltaSources();
      this.running = undefined;
    }
  }

  /**
   * Back to the version the other slot holds, at the wearer's request (update.rollback): nothing is
   * written but the journal and the boot order, and from its switch on it is seen through as an
   * install is (InstallRecord.manualRollback.otherSlot): the running version's data set aside
   * first, the other slot booted next on trial, its own data given back at that boot before it is
   * judged, and its commit written to the history. A cut anywhere leaves the newer version on its
   * data, or the older on its own, told once. The restart is the caller's.
   */
  async goBackToOtherSlot(): Promise<InstallRecord> {
    assertNoOperationRunning(this.running);
    this.running = 'going back';
    try {
      await this.settleJournal();
      const { boot } = this.options;
      const records = await boot.slotRecordsStore().read();
      const target = boot.inactiveSlot();
      const version = records[target]?.version;
      if (version === undefined) throw nothingToDo('The other slot holds no system to go back to.');
      const record: InstallRecord = {
        bundle: '',
        version,
        fromVersion: records[boot.bootedSystemFacts().slot]?.version ?? '0.0.0',
        target,
        startedAt: now(),
        state: { step: 'switch' },
        manualRollback: { otherSlot: true },
      };
      // The data as the running version left it, to give back if the headset returns to it.
      await this.options.snapshots?.take(record.fromVersion);
      return await this.switchAndAwait(record);
    } finally {
      this.running = undefined;
    }
  }

  /** At every boot, before anything commits: resume an install or judge its trial. */
  async onBoot(): Promise<BootOutcome> {
    // A copy of a delta's source a power cut left behind is never reused: it goes.
    if (this.running === undefined) await this.releaseDeltaSources();
    const record = await this.options.journal.read();
    if (!record) return 'none';
    if (isFinished(record.state)) {
      // The outcome was journalled, and the power went before all that follows it was done.
      if (record.reported === false) {
        await this.report(record);
        this.options.log?.info(`update ${record.fromVersion} -> ${record.version}: ${record.state.step} (recorded at this boot, after a power cut)`);
      }
      return 'none';
    }
    const booted = this.options.boot.bootedSystemFacts();
    const step = record.state.step;
    if (step === 'mark-unbootable' || step === 'write' || step === 'record') {
      // Never write the slot we run from; the target was unbootable, so this cannot happen short of tampering.
      if (booted.slot === record.target)
        return this.finish(record, { step: 'failed', at: now(), code: 'INTERNAL', message: 'The install target is the running slot.' }, 'none');
      try {
        await this.carryOut(record);
      } finally {
        await this.releaseDeltaSources();
      }
      return 'resumed';
    }
    if (step === 'switch' && booted.slot !== record.target) {
      await this.switchAndAwait(record);
      return 'resumed';
    }
    if (step === 'await-reboot' && booted.bootId === record.state.installBootId) return 'pending-reboot';
    if (booted.slot !== record.target)
      return this.rollBack(
        record,
        record.manualRollback?.otherSlot
          ? `${record.version} did not start from slot ${record.target}; the bootloader went back to ${record.fromVersion}.`
          : 'The new system did not start; the bootloader went back to the previous one.',
      );
    return this.judgeTrial(await this.beginTrial(record));
  }

  /**
   * The trial boot, before it is judged: what the install left to it is done, each part journalled
   * once done (a cut before does it again, the same way).
   */
  private async beginTrial(record: InstallRecord): Promise<InstallRecord> {
    const { journal } = this.options;
    if (record.state.step === 'switch') {
      // Cut between the switch and its entry: only the switch makes the bootloader start the
      // target, so it happened, and this boot is its trial (not a reason to switch again).
      record = withStep(record, { step: 'await-reboot', installBootId: record.state.installBootId ?? '' });
      await journal.write(record);
    }
    if (record.manualRollback && record.manualRollback.dataRestoredAt === undefined) {
      // The version gone back to runs on the data it last ran with, not on what a newer one made of it.
      await this.options.snapshots?.restore(record.version);
      record = { ...record, manualRollback: { ...record.manualRollback, dataRestoredAt: now() } };
      await journal.write(record);
    }
    return record;
  }

  private async carryOut(record: InstallRecord, opened?: BundleReader, onProgress?: (bytes: number, total: number) => void): Promise<InstallRecord> {
    const { boot, journal, partitions } = this.options;
    const target = record.target;
    let reader = opened;
    try {
      await journal.write(withStep(record, { step: 'mark-unbootable' }));
      await boot.markUnbootable(target);
      // The slot's old contents are going: forget what it held.
      const records = await boot.slotRecordsStore().read();
      if (records[target]) {
        delete records[target];
        await boot.slotRecordsStore().write(records);
      }
      reader ??= await BundleReader.open(record.bundle, { trusted: this.options.trusted });
      if (!opened) await this.checkDeltaSources(reader.manifest);
      record = await this.stopServices(record, reader.manifest);
      const total = reader.manifest.images.reduce((sum, image) => sum + image.uncompressed.length, 0);
      let done = 0;
      for await (const payload of reader.payloads()) {
        await journal.write(withStep(record, { step: 'write', image: payload.index }));
        const partition = partitions.partition(target, payload.image.slot);
        if (!partition) throw new AppError('UPDATE_INCOMPATIBLE', `No "${payload.image.slot}" partition in slot ${target}.`);
        await partitions.prepare?.(target, payload.image.slot);
        const image = payload.image;
        const bytes = isDeltaImage(image)
          ? deltaSlotFiller({
              image,
              patch: payload.chunks(),
              sourcePath: this.runningPartition(image.slot),
              // A file-aware delta's working folder (payload, decoded units) where a cut's leftovers are removed at boot.
              tempDir: image.compression === 'zstd' ? this.options.tempDir : this.sourceCopies,
              checkedSource: this.checkedSources.get(image.name),
            })
          : payload.decompressed();
        await writeImageToSlot(image.name, bytes, partition.path, image.uncompressed, {
          onProgress: (bytes) => onProgress?.(done + bytes, total),
          afterChunk: (bytes) => this.options.afterChunk?.(bytes, partition.path),
        });
        // Its source's copy has served: gone before the next image (its room, its unwritten pages).
        const reference = this.checkedSources.get(image.name)?.reference;
        if (reference) await rm(reference.path, { force: true });
        done += payload.image.uncompressed.length;
      }
      if (!reader.fullyVerified) throw new AppError('BUNDLE_MALFORMED', 'The bundle was not read to its verified end.');
      record = await this.startServices(record);
      await journal.write(withStep(record, { step: 'record' }));
      const primary = reader.manifest.images.find((image) => image.slot === 'rootfs') ?? reader.manifest.images[0]!;
      const updated = await boot.slotRecordsStore().read();
      const images = Object.fromEntries(
        reader.manifest.images.map((image) => [image.slot, { length: image.uncompressed.length, sha256: image.uncompressed.sha256 }]),
      );
      updated[target] = { version: record.version, installedAt: now(), image: primary.uncompressed, images };
      await boot.slotRecordsStore().write(updated);
      return await this.switchAndAwait(record);
    } catch (error) {
      if (error instanceof AppError) {
        // The install is over: the services it stopped run again. (Any other error is a cut: the
        // next boot starts them, and resumes.)
        record = await this.startServices(record).catch(() => record);
        const failed = finishedWith(record, { step: 'failed', at: now(), code: error.code, message: error.message });
        await journal.write(failed);
        await this.report(failed);
        this.options.log?.error(`install of ${record.version} failed: ${error.code} ${error.message}`);
      }
      throw error;
    } finally {
      // Whatever ended the install (a failure, a cut), the bundle's file is not left open.
      await reader?.close().catch(() => undefined);
    }
  }

  /** Stops the bundle's services and those holding the inactive slot, journalled first (see InstallRecord.services). */
  private async stopServices(record: InstallRecord, manifest: BundleManifest): Promise<InstallRecord> {
    const control = this.options.services;
    if (!control) return record;
    const units = [...new Set([...(record.services?.units ?? []), ...(await control.holdersOfInactiveSlot()), ...(manifest.services ?? [])])];
    if (units.length === 0) return record;
    const stopping: InstallRecord = { ...record, services: { units, restarted: false, problems: [] } };
    await this.options.journal.write(withStep(stopping, { step: 'mark-unbootable' }));
    for (const [index, unit] of units.entries()) {
      try {
        await control.stop(unit);
      } catch (error) {
        // Nothing was written: what was stopped runs again before the install fails.
        await this.startServices({ ...stopping, services: { units: units.slice(0, index), restarted: false, problems: [] } });
        throw serviceStopFailed(unit, error instanceof Error ? error.message : String(error));
      }
      this.options.log?.info(`stopped ${unit} for the install of ${record.version}`);
    }
    return stopping;
  }

  /** Starts what stopServices stopped, in reverse order; a unit that will not start is logged and recorded, not fatal. */
  private async startServices(record: InstallRecord): Promise<InstallRecord> {
    const control = this.options.services;
    const services = record.services;
    if (!control || !services || services.restarted) return record;
    const problems: string[] = [];
    for (const unit of [...services.units].reverse()) {
      try {
        await control.start(unit);
        this.options.log?.info(`started ${unit} again after writing slot ${record.target}`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        problems.push(message);
        this.options.log?.warn(`service did not start again after the install of ${record.version}: ${message}`);
      }
    }
    return { ...record, services: { ...services, restarted: true, problems } };
  }

  private async switchAndAwait(record: InstallRecord): Promise<InstallRecord> {
    const installBootId = this.options.boot.bootedSystemFacts().bootId;
    await this.options.journal.write(withStep(record, { step: 'switch', installBootId }));
    await this.options.boot.switchToTrial(record.target);
    const waiting = withStep(record, { step: 'await-reboot', installBootId });
    await this.options.journal.write(waiting);
    const what = record.manualRollback?.otherSlot ? `going back to ${record.version} in slot` : `installed ${record.version} into slot`;
    this.options.log?.info(`${what} ${record.target}; it is tried at the next boot`);
    return waiting;
  }

  /**
   * Checks every delta's source against its signed hash. The check is kept for the applier, which
   * then does not hash the same source a second time; where zstd needs a copy of it (a slot larger
   * than the image), the copy is made by this same read, so zstd's reference is exactly the bytes
   * that matched, and the source is read once.
   */
  private async checkDeltaSources(manifest: BundleManifest): Promise<void> {
    await this.releaseDeltaSources();
    for (const image of manifest.images) {
      if (isDeltaImage(image))
        this.checkedSources.set(
          image.name,
          // A file-aware delta reads the slot's blocks itself: no copy of the source is made for it.
          await checkDeltaSourceFile(image, this.runningPartition(image.slot), image.compression === 'zstd' ? { copyDir: this.sourceCopies } : {}),
        );
    }
  }

  /** Forgets the checked sources and removes their copies (and any a power cut left). */
  private async releaseDeltaSources(): Promise<void> {
    this.checkedSources.clear();
    await rm(this.sourceCopies, { recursive: true, force: true });
  }

  private runningPartition(name: string): string {
    const partition = this.options.partitions.partition(this.options.boot.bootedSystemFacts().slot, name);
    if (!partition) throw new AppError('UPDATE_INCOMPATIBLE', `No "${name}" partition in the running slot.`);
    return partition.path;
  }

  /** The trial boot: the slot must hold exactly every image recorded for it (rootfs, boot image...), and its services must run. */
  private async judgeTrial(record: InstallRecord): Promise<BootOutcome> {
    const { boot, partitions } = this.options;
    const recorded = (await boot.slotRecordsStore().read())[record.target];
    const differing =
      recorded === undefined || recorded.version !== record.version ? 'record' : await firstDifferingImage(recorded, record.target, partitions);
    if (differing !== undefined) {
      this.options.log?.warn(`trial boot of ${record.version} is not healthy (${differing}): not committing`);
      return 'trial-failed';
    }
    // The system it booted must run: a unit the update broke fails the trial as a damaged image does.
    const notRunning = (await this.options.services?.notRunningAfterBoot()) ?? [];
    if (notRunning.length > 0) {
      this.options.log?.warn(`trial boot of ${record.version} is not healthy (not running: ${notRunning.join(', ')}): not committing`);
      return 'trial-failed';
    }
    // Not committed yet: headsetd must answer over its API first (commitTrial).
    return 'trial-healthy';
  }

  /**
   * Commits the trial boot the installer found healthy, once the caller checked what it cannot
   * (headsetd reachable). Does nothing unless this boot is that trial: 'none' then.
   */
  async commitTrial(): Promise<BootOutcome> {
    const record = await this.options.journal.read();
    if (!record || record.state.step !== 'await-reboot') return 'none';
    const booted = this.options.boot.bootedSystemFacts();
    if (booted.slot !== record.target || booted.bootId === record.state.installBootId) return 'none';
    await this.options.boot.commit();
    return this.finish(record, { step: 'committed', at: now() }, 'committed');
  }

  private async rollBack(record: InstallRecord, reason: string): Promise<BootOutcome> {
    await this.options.boot.markUnbootable(record.target);
    await this.options.boot.preferSlot(this.options.boot.bootedSystemFacts().slot);
    // The failed system may have migrated the data during its tries: give back the data of before.
    await this.options.snapshots?.restore(record.fromVersion);
    const records = await this.options.boot.slotRecordsStore().read();
    delete records[record.target];
    await this.options.boot.slotRecordsStore().write(records);
    return this.finish(record, { step: 'rolled-back', at: now(), reason }, 'rolled-back');
  }

  private async finish(record: InstallRecord, state: InstallStep, outcome: BootOutcome): Promise<BootOutcome> {
    const finished = finishedWith(record, state);
    await this.options.journal.write(finished);
    await this.report(finished);
    this.options.log?.info(`update ${record.fromVersion} -> ${record.version}: ${state.step}`);
    return outcome;
  }

  /** Does what follows a finished step (onFinished), then journals it done; run again after a cut. */
  private async report(finished: InstallRecord): Promise<void> {
    const reporting = (async () => {
      for (const listener of this.finishedListeners) await listener(finished);
      await this.options.journal.write({ ...finished, reported: true });
    })();
    this.reporting = reporting;
    try {
      await reporting;
    } finally {
      if (this.reporting === reporting) this.reporting = undefined;
    }
  }

  /**
   * Before a record replaces the journal's: the one there is seen through. Its end's bookkeeping
   * is awaited when under way (the history may already tell it), or done again when a failure
   * left it undone; an install still under way is refused, it must not lose its journal.
   */
  private async settleJournal(): Promise<void> {
    await this.reporting?.catch(() => undefined);
    const last = await this.options.journal.read();
    if (!last) return;
    if (!isFinished(last.state)) assertNoOperationRunning(`the install of ${last.version}, at "${last.state.step}"`);
    if (last.reported === false) await this.report(last);
  }

  /**
   * Whether an install is under way (being carried out, or written and waiting for the boot that
   * tries it), and of which version: the journal's (after a cut no saved offer may tell it).
   */
  async pendingInstall(): Promise<{ stage: 'none' } | { stage: 'in-progress' | 'awaiting-reboot'; version: string }> {
    const record = await this.options.journal.read();
    if (!record || isFinished(record.state)) return { stage: 'none' };
    return { stage: record.state.step === 'await-reboot' ? 'awaiting-reboot' : 'in-progress', version: record.version };
  }
}

function withStep(record: InstallRecord, state: InstallStep): InstallRecord {
  return { ...record, state };
}

/** A finished step, its bookkeeping still to do (see InstallRecord.reported). */
function finishedWith(record: InstallRecord, state: InstallStep): InstallRecord {
  return { ...record, state, reported: false };
}

function now(): string {
  return new Date().toISOString();
}

/** The newest version either slot records: what no install, recovery's included, may go below. */
export function versionFloor(records: SlotRecords): string {
  return Object.values(records)
    .map((record) => record?.version ?? '0.0.0')
    .reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b), '0.0.0');
}
