import type { BootStatus } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import {
  MAX_BOOT_TRIES,
  SLOT_NAMES,
  commitSlot,
  isBootable,
  parseOrder,
  requestRecovery,
  triesLeft,
  type BootSlot,
} from '../../../src/boot/bootSelection.js';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { BootControl, BootEnvironmentStore, BootedSystem, BootedSystemSource, SlotRecordStore } from './ports.js';

/**
 * What this boot is (slot, recovery, fallback), the slots' contents, and the commit that tells the
 * bootloader the booted slot is healthy.
 *
 *   boot -> load() -> (health checks pass) -> commit() : slot gets its tries back
 *                  -> (never committed)    : the bootloader uses up the tries and falls back
 */
export class BootService implements BootControl {
  readonly status = new StateChannel<BootStatus>();
  private booted: BootedSystem | undefined;
  private preferredAtBoot: BootSlot | undefined;

  constructor(
    private readonly environment: BootEnvironmentStore,
    private readonly bootedSystem: BootedSystemSource,
    private readonly slotRecords: SlotRecordStore,
    private readonly bootCountPath: string,
  ) {}

  /** Reads this boot's facts and counts it (once per boot id). */
  async load(): Promise<BootStatus> {
    this.booted = await this.bootedSystem.read();
    // The slot the bootloader preferred at this boot: ORDER changes later (a trial is switched
    // to, a manual rollback), which says nothing about how this boot went.
    this.preferredAtBoot = parseOrder(await this.environment.read())[0];
    const counter = (await readJsonIfExists<{ bootId: string; count: number }>(this.bootCountPath)) ?? { bootId: '', count: 0 };
    if (counter.bootId !== this.booted.bootId) {
      counter.bootId = this.booted.bootId;
      counter.count += 1;
      await writeFileAtomic(this.bootCountPath, JSON.stringify(counter));
    }
    return this.refresh(counter.count);
  }

  bootedSystemFacts(): BootedSystem {
    if (!this.booted) throw new Error('BootService.load() has not run');
    return this.booted;
  }

  /** Marks the booted slot good. Only call once the health checks passed. */
  async commit(): Promise<BootStatus> {
    const { slot } = this.bootedSystemFacts();
    const variables = await this.environment.read();
    await this.environment.write(commitSlot(variables, slot));
    return this.refresh(this.status.current()?.bootCount ?? 0);
  }

  /** The slot an update writes: the one not running. */
  inactiveSlot(): BootSlot {
    return this.bootedSystemFacts().slot === 'A' ? 'B' : 'A';
  }

  /** Before a slot is written: the bootloader must never pick it while it holds half an image. */
  async markUnbootable(slot: BootSlot): Promise<void> {
    if (slot === this.bootedSystemFacts().slot) throw new Error('refusing to mark the running slot unbootable');
    const variables = await this.environment.read();
    variables.set(`${slot}_OK`, '0');
    variables.set(`${slot}_LEFT`, '0');
    await this.environment.write(variables);
    await this.refresh(this.status.current()?.bootCount ?? 0);
  }

  /** After a slot verified: boot it next, on trial (its tries run out unless the new system commits). */
  async switchToTrial(slot: BootSlot): Promise<void> {
    const variables = await this.environment.read();
    variables.set('ORDER', [slot, ...SLOT_NAMES.filter((s) => s !== slot)].join(' '));
    variables.set(`${slot}_OK`, '1');
    variables.set(`${slot}_LEFT`, String(MAX_BOOT_TRIES));
    await this.environment.write(variables);
    await this.refresh(this.status.current()?.bootCount ?? 0);
  }

  /** Manual rollback: prefer the other slot from the next boot on, if it is bootable. */
  /** One boot into recovery at the next restart ("Restart into recovery"): the bootloader answers it once. */
  async requestRecovery(): Promise<void> {
    await this.environment.write(requestRecovery(await this.environment.read()));
  }

  async preferSlot(slot: BootSlot): Promise<void> {
    const variables = await this.environment.read();
    variables.set('ORDER', [slot, ...SLOT_NAMES.filter((s) => s !== slot)].join(' '));
    await this.environment.write(variables);
    await this.refresh(this.status.current()?.bootCount ?? 0);
  }

  slotRecordsStore(): SlotRecordStore {
    return this.slotRecords;
  }

  /** Re-reads the environment and records (after an install changed them). */
  async reload(): Promise<BootStatus> {
    return this.refresh(this.status.current()?.bootCount ?? 0);
  }

  private async refresh(bootCount: number): Promise<BootStatus> {
    const booted = this.bootedSystemFacts();
    const variables = await this.environment.read();
    const records = await this.slotRecords.read();
    const order = parseOrder(variables);
    const status: BootStatus = {
      activeSlot: booted.slot,
      order,
      bootId: booted.bootId,
      bootCount,
      // Fell back: the bootloader passed over its preferred slot, and nothing made this one preferred since.
      fellBack: booted.slot !== this.preferredAtBoot && booted.slot !== order[0],
      slots: SLOT_NAMES.map((name) => ({
        name,
        version: records[name]?.version ?? null,
        bootable: isBootable(variables, name),
        triesLeft: triesLeft(variables, name),
        active: name === booted.slot,
      })),
    };
    this.status.set(status);
    return status;
  }
}
