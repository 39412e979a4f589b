import { createHash, randomUUID } from 'node:crypto';
import { chmod, mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { factoryBootVariables, selectBootSlot, type BootDecision } from '../../../src/boot/bootSelection.js';
import { GrubEnvironmentFile } from '../boot/GrubEnvironmentFile.js';
import { SlotRecordFile } from '../boot/SlotRecordFile.js';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { SimulatedDeviceLayout } from './SimulatedDeviceLayout.js';

export interface SimulatedDeviceDescription {
  model: string;
  slotSizeBytes: number;
  manufacturedAt: string;
  factoryVersion: string;
}

export const SIMULATED_MODEL = 'HC-1-simulated';
const DEFAULT_SLOT_SIZE = 64 * 1024 * 1024;

/**
 * The simulated headset's hardware and bootloader. `manufacture()` builds the machine once;
 * `powerOn()` is what the bootloader does at every boot: the same slot selection the shipped GRUB
 * script runs, then the kernel command line and a fresh boot id for the booted system.
 */
export class SimulatedFirmware {
  private readonly grubEnv: GrubEnvironmentFile;

  constructor(private readonly layout: SimulatedDeviceLayout) {
    this.grubEnv = new GrubEnvironmentFile(layout.grubEnv);
  }

  async description(): Promise<SimulatedDeviceDescription> {
    const description = await readJsonIfExists<SimulatedDeviceDescription>(this.layout.deviceFile);
    if (!description) throw new Error(`No simulated device at ${this.layout.root}`);
    return description;
  }

  /** Creates the device on first run; a device that exists is left as it is. */
  async manufacture(options: { factoryVersion: string; slotSizeBytes?: number }): Promise<boolean> {
    const existing = await readJsonIfExists<SimulatedDeviceDescription>(this.layout.deviceFile);
    if (existing) return false;
    const layout = this.layout;
    const slotSizeBytes = options.slotSizeBytes ?? DEFAULT_SLOT_SIZE;
    for (const dir of [dirname(layout.grubEnv), dirname(layout.slotImage('A')), dirname(layout.productUuid), layout.dataDir, layout.stateDir, layout.calibrationDir, layout.runDir, dirname(layout.recoveryButton), dirname(layout.thermalZone)]) {
      await mkdir(dir, { recursive: true });
    }
    await mkdir(dirname(layout.identityDir), { recursive: true, mode: 0o700 });
    await chmod(dirname(layout.identityDir), 0o700);
    await writeFileAtomic(layout.productUuid, `${randomUUID()}\n`, { mode: 0o400 });
    await writeFileAtomic(layout.recoveryButton, '0\n');
    await writeFileAtomic(layout.thermalZone, '38000\n');
    // Slot A holds the factory image; B is empty. Sparse files: full size, no disk used.
    const factoryImage = Buffer.from(`HEADSET-OS ${options.factoryVersion}\n`);
    for (const slot of ['A', 'B'] as const) {
      const handle = await open(layout.slotImage(slot), 'w');
      if (slot === 'A') await handle.write(factoryImage, 0, undefined, 0);
      await handle.truncate(slotSizeBytes);
      await handle.sync();
      await handle.close();
    }
    const image = { length: factoryImage.length, sha256: createHash('sha256').update(factoryImage).digest('hex') };
    await new SlotRecordFile(this.slotRecordsPath()).write({ A: { version: options.factoryVersion, installedAt: new Date().toISOString(), image } });
    await this.grubEnv.write(factoryBootVariables());
    // The description is written last: its presence means the device is complete.
    const description: SimulatedDeviceDescription = {
      model: SIMULATED_MODEL,
      slotSizeBytes,
      manufacturedAt: new Date().toISOString(),
      factoryVersion: options.factoryVersion,
    };
    await writeFileAtomic(layout.deviceFile, JSON.stringify(description, null, 2));
    return true;
  }

  slotRecordsPath(): string {
    return join(this.layout.stateDir, 'slots.json');
  }

  /** One boot: select a slot as GRUB would, persist the counter, hand the result to the kernel. */
  async powerOn(): Promise<BootDecision> {
    const decision = selectBootSlot(await this.grubEnv.read());
    await this.grubEnv.write(decision.variables);
    await mkdir(this.layout.runDir, { recursive: true });
    await writeFile(this.layout.cmdline, `headset.slot=${decision.slot} headset.recovery=${decision.recovery ? 1 : 0} quiet\n`);
    await writeFile(this.layout.bootId, `${randomUUID()}\n`);
    return decision;
  }
}
