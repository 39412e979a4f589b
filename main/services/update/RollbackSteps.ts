import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { BootSlot } from '../../../src/boot/bootSelection.js';
import { checkSlotReadback } from '../../../src/update/installability.js';
import { assertConfigured, assertRollbackAllowed, nothingToDo } from '../../../src/update/operationGuard.js';
import type { BootControl } from '../boot/ports.js';
import type { BundleCache } from './BundleCache.js';
import type { InstallRecord } from './InstallJournal.js';
import type { SlotPartitions } from './ports.js';
import { recordedImages } from './recordedImages.js';
import { hashSlotPrefix } from './SlotWriter.js';
import type { CatalogEntry, UpdateCatalog } from './UpdateCatalog.js';

export interface RollbackStepsNeeds {
  catalog: UpdateCatalog | undefined;
  boot: BootControl;
  /** Bundles of committed versions, for going back further than the other slot. */
  kept?: BundleCache | undefined;
  /** To verify a rollback target before switching to it. */
  partitions?: SlotPartitions | undefined;
}

/**
 * What going back takes apart from the state the wearer sees (the update service's): the other
 * slot checked before the switch, committed bundles kept to go back further, and a kept one
 * vouched for again before it is reinstalled. The going back itself, its data and its history,
 * is the installer's journalled transaction (InstallRecord.manualRollback).
 */
export class RollbackSteps {
  constructor(private readonly needs: RollbackStepsNeeds) {}

  /** The kept versions, newest first, but the one running. */
  async keptVersions(running: string): Promise<string[]> {
    return ((await this.needs.kept?.versions()) ?? []).filter((v) => v !== running);
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

  /**
   * Before going back to the other slot (Installer.goBackToOtherSlot, offline too): it must still
   * hold exactly the image recorded for it, never switch to a damaged one.
   */
  async verifyTarget(slot: BootSlot): Promise<void> {
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
