import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { BootSlot } from '../../../src/boot/bootSelection.js';
import { checkSlotReadback } from '../../../src/update/installability.js';
import { assertConfigured, assertRollbackAllowed, nothingToDo } from '../../../src/update/operationGuard.js';
import type { BootControl } from '../boot/ports.js';
import type { BundleCache } from './BundleCache.js';
import type { DataSnapshots } from './DataSnapshots.js';
import type { InstallRecord } from './InstallJournal.js';
import type { SlotPartitions } from './ports.js';
import { recordedImages } from './recordedImages.js';
import { hashSlotPrefix } from './SlotWriter.js';
import type { CatalogEntry, UpdateCatalog } from './UpdateCatalog.js';
import type { UpdateHistory } from './UpdateHistory.js';

export interface RollbackStepsNeeds {
  catalog: UpdateCatalog | undefined;
  boot: BootControl;
  history: UpdateHistory;
  snapshots?: DataSnapshots | undefined;
  /** Bundles of committed versions, for going back further than the other slot. */
  kept?: BundleCache | undefined;
  /** To verify a rollback target before switching to it. */
  partitions?: SlotPartitions | undefined;
}

/**
 * What going back takes apart from the state the wearer sees (the update service's): the other
 * slot checked before the switch, each version's data set aside and brought back, committed
 * bundles kept to go back further, and a kept one vouched for again before it is reinstalled
 * (its data and history are then the install's: InstallRecord.manualRollback).
 */
export class RollbackSteps {
  constructor(private readonly needs: RollbackStepsNeeds) {}

  /** The kept versions, newest first, but the one running. */
  async keptVersions(running: string): Promise<string[]> {
    return ((await this.needs.kept?.versions()) ?? []).filter((v) => v !== running);
  }

  /** Back to the version in the other slot, which boots next (the restart is the caller's); offline too. */
  async switchToOtherSlot(current: { version: string }, target: { slot: BootSlot; version: string }): Promise<void> {
    await this.verifyTarget(target.slot);
    // The data the current version runs with, for coming forward again; and the other version's own.
    await this.needs.snapshots?.take(current.version);
    await this.needs.boot.preferSlot(target.slot);
    await this.needs.snapshots?.restore(target.version);
    await this.needs.history.append({
      version: target.version,
      fromVersion: current.version,
      slot: target.slot,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      outcome: 'manual-rollback',
      detail: `Back from ${current.version} to ${target.version} at the wearer's request.`,
    });
  }

  /** The kept bundle of `version`, only while the repository still lists it: a revoked version stays gone. */
  async keptBundleFor(version: string): Promise<{ path: string; sha256: string }> {
    const kept = await this.needs.kept?.get(version);
    if (!kept) throw nothingToDo(`No bundle of version ${version} is kept on this headset.`);
    const catalog = assertConfigured(this.needs.catalog);
    assertRollbackAllowed(await catalog.vouchesFor(version, kept.sha256), version);
    return kept;
  }

  /**
   * A committed install's bundle, kept to go back to later without a download (the newest few);
   * gone from its place once kept. Idempotent: after a power cut it is no longer there to keep.
   * `offered`: the catalog entry it came from, whose signed hash saves hashing it again.
   */
  async keepCommitted(record: InstallRecord, offered: CatalogEntry | undefined): Promise<void> {
    if (!(await exists(record.bundle))) return;
    const sha256 = offered?.version === record.version ? offered.sha256 : await sha256File(record.bundle).catch(() => undefined);
    if (sha256) await this.needs.kept?.keep(record.bundle, record.version, sha256).catch(() => undefined);
  }

  /** A slot to go back to must still hold exactly the image recorded for it: never switch to a damaged one. */
  private async verifyTarget(slot: BootSlot): Promise<void> {
    const record = (await this.needs.boot.slotRecordsStore().read())[slot];
    if (!record || !this.needs.partitions) return;
    // Every image the slot's record vouches for (rootfs, and a boot image where one was written).
    for (const [name, image] of Object.entries(recordedImages(record))) {
      const partition = this.needs.partitions.partition(slot, name);
      const sha256 = partition ? await hashSlotPrefix(partition.path, image.length).catch(() => '') : '';
      checkSlotReadback(name, image, { length: image.length, sha256 });
    }
  }
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
