import { createHash, randomInt, randomUUID } from 'node:crypto';
import { chmod, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bootArguments, factoryBootVariables, selectBootSlot, type BootDecision } from '../../../src/boot/bootSelection.js';
import { GrubEnvironmentFile } from '../boot/GrubEnvironmentFile.js';
import type { BootEnvironmentStore } from '../boot/ports.js';
import { UBootEnvironmentFile, formatFwEnvConfig, type UBootEnvLayout } from '../boot/UBootEnvironmentFile.js';
import { SlotRecordFile } from '../boot/SlotRecordFile.js';
import { FACTORY_AIR } from '../../../src/network/factoryAir.js';
import { readFileIfExists, readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import { SIMULATED_UNITS } from '../platform/SimulatedServiceControl.js';
import type { SimulatedDeviceLayout } from './SimulatedDeviceLayout.js';

export interface SimulatedDeviceDescription {
  model: string;
  slotSizeBytes: number;
  manufacturedAt: string;
  factoryVersion: string;
  /** The bootloader whose environment selects the slot; absent on devices made before U-Boot: grub. */
  bootloader?: SimulatedBootloader;
  /** The boot partition's capacity (kernels, environment); absent: DEFAULT_BOOT_PARTITION_SIZE. */
  bootPartitionBytes?: number;
}

export type SimulatedBootloader = 'grub' | 'uboot';
export const DEFAULT_BOOT_PARTITION_SIZE = 16 * 1024 * 1024;
/** CONFIG_ENV_SIZE of the simulated U-Boot board. */
export const SIMULATED_UBOOT_ENV_SIZE = 0x4000;
/** What the factory flashed besides the system: the versions a bundle's `requires` are checked against. */
export const FACTORY_COMPONENTS: Readonly<Record<string, string>> = { bootloader: '2.1.0', 'mcu-firmware': '1.4.2', 'display-firmware': '3.0.1' };

export const SIMULATED_MODEL = 'HC-1-simulated';
/** The charge a new headset's battery leaves the factory with. */
const FACTORY_BATTERY_PERCENT = 85;
const DEFAULT_SLOT_SIZE = 64 * 1024 * 1024;

/**
 * The simulated headset's hardware and bootloader. `manufacture()` builds the machine once;
 * `powerOn()` is what the bootloader does at every boot: the same slot selection the shipped GRUB
 * script runs, then the kernel command line and a fresh boot id for the booted system.
 */
export class SimulatedFirmware {
  constructor(private readonly layout: SimulatedDeviceLayout) {}

  /** The U-Boot board's environment: two redundant copies on the boot partition, as fw_env.config says. */
  ubootLayout(): UBootEnvLayout {
    return {
      envSize: SIMULATED_UBOOT_ENV_SIZE,
      copies: [
        { path: this.layout.ubootEnvCopy(0), offset: 0 },
        { path: this.layout.ubootEnvCopy(1), offset: 0 },
      ],
    };
  }

  /** The environment this device's bootloader reads: what the system's BootService must write too. */
  async bootEnvironment(): Promise<BootEnvironmentStore> {
    const { bootloader } = await this.description();
    return bootloader === 'uboot' ? new UBootEnvironmentFile(this.ubootLayout()) : new GrubEnvironmentFile(this.layout.grubEnv);
  }

  async description(): Promise<SimulatedDeviceDescription> {
    const description = await readJsonIfExists<SimulatedDeviceDescription>(this.layout.deviceFile);
    if (!description) throw new Error(`No simulated device at ${this.layout.root}`);
    return description;
  }

  /** Creates the device on first run; a device that exists is left as it is. */
  async manufacture(options: { factoryVersion: string; slotSizeBytes?: number; bootloader?: SimulatedBootloader }): Promise<boolean> {
    const existing = await readJsonIfExists<SimulatedDeviceDescription>(this.layout.deviceFile);
    if (existing) {
      const made = existing.bootloader ?? 'grub';
      if (options.bootloader !== undefined && options.bootloader !== made)
        throw new Error(
          `The simulated device at ${this.layout.root} was made with ${made}; it cannot boot with ${options.bootloader} (use another --root).`,
        );
      // Devices made before the component list existed get the factory's.
      if ((await readJsonIfExists(this.layout.componentsFile)) === undefined) await this.writeFactoryComponents();
      if ((await readJsonIfExists(this.layout.serviceUnits)) === undefined) await this.writeUnitTable();
      // Devices made before the label had a serial number get one.
      if ((await readFileIfExists(this.layout.productSerial)) === undefined) await this.writeSerialNumber();
      // Devices made before every input had its file get the factory's, where nobody wrote one.
      await this.writeFactoryInputs();
      return false;
    }
    const layout = this.layout;
    const bootloader = options.bootloader ?? 'grub';
    const slotSizeBytes = options.slotSizeBytes ?? DEFAULT_SLOT_SIZE;
    for (const dir of [
      dirname(layout.grubEnv),
      dirname(layout.slotImage('A')),
      dirname(layout.productUuid),
      layout.dataDir,
      layout.stateDir,
      layout.calibrationDir,
      layout.runDir,
    ]) {
      await mkdir(dir, { recursive: true });
    }
    await mkdir(dirname(layout.identityDir), { recursive: true, mode: 0o700 });
    await chmod(dirname(layout.identityDir), 0o700);
    await writeFileAtomic(layout.productUuid, `${randomUUID()}\n`, { mode: 0o400 });
    await this.writeSerialNumber();
    await this.writeFactoryInputs();
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
    await this.writeFactoryComponents();
    await this.writeUnitTable();
    if (bootloader === 'uboot') {
      await new UBootEnvironmentFile(this.ubootLayout()).write(factoryBootVariables());
      await this.writeFwEnvConfig();
    } else await new GrubEnvironmentFile(layout.grubEnv).write(factoryBootVariables());
    // The description is written last: its presence means the device is complete.
    const description: SimulatedDeviceDescription = {
      model: SIMULATED_MODEL,
      slotSizeBytes,
      manufacturedAt: new Date().toISOString(),
      factoryVersion: options.factoryVersion,
      bootloader,
      bootPartitionBytes: DEFAULT_BOOT_PARTITION_SIZE,
    };
    await writeFileAtomic(layout.deviceFile, JSON.stringify(description, null, 2));
    return true;
  }

  slotRecordsPath(): string {
    return join(this.layout.stateDir, 'slots.json');
  }

  /**
   * The files a developer writes to, to provoke what the hardware would (README, "The simulated
   * headset"), as the factory leaves them, where nobody wrote one (before the first start too: a
   * developer or a test may set the scene first). No USB stick: `usb/` exists only while one is plugged in.
   */
  private async writeFactoryInputs(): Promise<void> {
    const layout = this.layout;
    const inputs: [path: string, text: string][] = [
      [layout.recoveryButton, '0\n'],
      [layout.thermalZone, '38000\n'],
      [join(layout.batteryDir, 'capacity'), `${FACTORY_BATTERY_PERCENT}\n`],
      [join(layout.batteryDir, 'status'), 'Discharging\n'],
      [layout.chargerOnline, '0\n'],
      [layout.gpsSky, 'open\n'],
      [layout.networkState, 'online\n'],
      [layout.networkAir, `${JSON.stringify(FACTORY_AIR, null, 2)}\n`],
      [layout.networkLatch, '0\n'],
    ];
    for (const [path, text] of inputs) {
      if ((await readFileIfExists(path)) !== undefined) continue;
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, text);
    }
  }

  /** A serial number as the factory prints it on the label: "SIM-" and ten unambiguous characters. */
  private async writeSerialNumber(): Promise<void> {
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const serial = `SIM-${Array.from({ length: 10 }, () => alphabet[randomInt(alphabet.length)]).join('')}`;
    await mkdir(dirname(this.layout.productSerial), { recursive: true });
    await writeFileAtomic(this.layout.productSerial, `${serial}\n`, { mode: 0o400 });
  }

  private async writeFactoryComponents(): Promise<void> {
    await mkdir(dirname(this.layout.componentsFile), { recursive: true });
    await writeFileAtomic(this.layout.componentsFile, `${JSON.stringify(FACTORY_COMPONENTS, null, 2)}\n`);
  }

  private async writeUnitTable(): Promise<void> {
    await mkdir(dirname(this.layout.serviceUnits), { recursive: true });
    await writeFileAtomic(this.layout.serviceUnits, `${JSON.stringify(SIMULATED_UNITS, null, 2)}\n`);
  }

  /** fw_env.config names the copies by absolute path: rewritten at each power-on in case the folder moved. */
  private async writeFwEnvConfig(): Promise<void> {
    const text = formatFwEnvConfig(this.ubootLayout());
    const current = await readFile(this.layout.fwEnvConfig, 'utf8').catch(() => undefined);
    if (current !== text) await writeFileAtomic(this.layout.fwEnvConfig, text);
  }

  /**
   * One boot: select a slot as the bootloader would (GRUB's script or U-Boot's boot.cmd, one
   * algorithm), persist the counter, hand the result to the kernel. /run starts empty, as a tmpfs.
   */
  async powerOn(): Promise<BootDecision> {
    const environment = await this.bootEnvironment();
    if ((await this.description()).bootloader === 'uboot') await this.writeFwEnvConfig();
    const decision = selectBootSlot(await environment.read());
    await environment.write(decision.variables);
    await rm(this.layout.serviceStates, { force: true });
    await mkdir(this.layout.runDir, { recursive: true });
    // The words grub.cfg and boot.cmd give the kernel; recovery is the recovery partition's system
    // (the simulated headset runs the same headsetd there, in recovery mode).
    await writeFile(this.layout.cmdline, `${bootArguments(decision)}\n`);
    await writeFile(this.layout.bootId, `${randomUUID()}\n`);
    return decision;
  }
}
