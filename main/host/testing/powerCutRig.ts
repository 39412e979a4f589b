import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TrustedKey } from '../../../src/update/verify.js';
import { BootService } from '../../services/boot/BootService.js';
import { GrubEnvironmentFile } from '../../services/boot/GrubEnvironmentFile.js';
import { KernelCommandLine } from '../../services/boot/KernelCommandLine.js';
import type { BootEnvironmentStore } from '../../services/boot/ports.js';
import { SlotRecordFile } from '../../services/boot/SlotRecordFile.js';
import { SimulatedDeviceLayout } from '../../services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../../services/device/SimulatedFirmware.js';
import { SimulatedSlotPartitions } from '../../services/device/SimulatedSlotPartitions.js';
import { GpioValueFile } from '../../services/mode/GpioValueFile.js';
import { ModeService } from '../../services/mode/ModeService.js';
import { DataSnapshots } from '../../services/update/DataSnapshots.js';
import { InstallJournal, type InstallRecord } from '../../services/update/InstallJournal.js';
import { Installer } from '../../services/update/Installer.js';
import { hashSlotPrefix } from '../../services/update/SlotWriter.js';

// What the power-cut matrices share: the cut itself, a boot's services over a simulated headset's
// folder with the cut's seams in them, and the invariant checked after every boot.

export class PowerCut extends Error {}

/** Counts persistent events; throws at the chosen one, once. */
export class CutSwitch {
  events = 0;
  fired = false;
  /** Off from the cut until the next power-on. */
  off = false;
  constructor(
    private readonly atEvent?: number,
    readonly atByte?: number,
  ) {}

  event(): void {
    if (!this.fired && this.atEvent === this.events++) this.fire();
  }

  /** A sync: the cut's own seam, and while the power is off nothing more reaches the medium. */
  sync(): void {
    if (this.off) throw new PowerCut();
    this.event();
  }

  fire(): never {
    this.fired = true;
    this.off = true;
    throw new PowerCut();
  }

  powerOn(): void {
    this.off = false;
  }
}

export interface PowerCutServicesOptions {
  trusted: TrustedKey[];
  slotSizeBytes: number;
  /** Snapshot the user data before each install and give it back on rollback, as headsetd does. */
  snapshots?: boolean;
  /** The per-chunk seam of the slot write. */
  afterChunk?: (bytes: number, path: string) => void;
}

/** One boot's services over the headset at `root`; every boot-environment and journal write is a seam of `cut`. */
export function powerCutServices(root: string, cut: CutSwitch, options: PowerCutServicesOptions) {
  const layout = new SimulatedDeviceLayout(root);
  const firmware = new SimulatedFirmware(layout);
  const grub = new GrubEnvironmentFile(layout.grubEnv);
  const environment: BootEnvironmentStore = {
    read: () => grub.read(),
    write: async (variables) => {
      cut.event();
      await grub.write(variables);
    },
  };
  const boot = new BootService(environment, new KernelCommandLine(layout.cmdline, layout.bootId), new SlotRecordFile(firmware.slotRecordsPath()), join(layout.stateDir, 'boot-count.json'));
  const installer = new Installer({
    boot,
    partitions: new SimulatedSlotPartitions(layout, options.slotSizeBytes),
    journal: new InstallJournal(join(layout.stateDir, 'install.json'), () => cut.event()),
    trusted: options.trusted,
    model: 'HC-1-simulated',
    // As headsetd wires it: a delta's source copied into the state folder, where a cut may leave it.
    tempDir: layout.stateDir,
    ...(options.snapshots ? { snapshots: new DataSnapshots(layout.dataDir, join(layout.stateDir, 'snapshots'), ['headsetd', 'logs', 'crashes']) } : {}),
    ...(options.afterChunk ? { afterChunk: options.afterChunk } : {}),
  });
  const mode = new ModeService(layout.stateDir, new GpioValueFile(layout.recoveryButton));
  return { layout, firmware, boot, installer, mode };
}

/** The invariant after every boot: the running slot holds exactly the image recorded for it. */
export async function expectBootedSlotMatchesRecord(root: string, options: Omit<PowerCutServicesOptions, 'afterChunk'>, context = 'after the boot'): Promise<{ slot: string; version: string }> {
  const { boot } = powerCutServices(root, new CutSwitch(), options);
  await boot.load();
  const slot = boot.bootedSystemFacts().slot;
  const record = (await boot.slotRecordsStore().read())[slot];
  expect(record, `${context}: slot ${slot} booted without a record`).toBeDefined();
  expect(await hashSlotPrefix(new SimulatedDeviceLayout(root).slotImage(slot), record!.image.length), `${context}: slot ${slot}`).toBe(record!.image.sha256);
  return { slot, version: record!.version };
}

export function readInstallJournal(root: string): InstallRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(new SimulatedDeviceLayout(root).stateDir, 'install.json'), 'utf8')) as InstallRecord;
  } catch {
    return undefined;
  }
}
