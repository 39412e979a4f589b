import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrustedKey } from '../../src/update/verify.js';
import { BootService } from '../../main/services/boot/BootService.js';
import { KernelCommandLine } from '../../main/services/boot/KernelCommandLine.js';
import { SlotRecordFile } from '../../main/services/boot/SlotRecordFile.js';
import { SimulatedBootPartition } from '../../main/services/device/SimulatedBootPartition.js';
import type { SimulatedDeviceLayout } from '../../main/services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../../main/services/device/SimulatedFirmware.js';
import { SimulatedSlotPartitions } from '../../main/services/device/SimulatedSlotPartitions.js';
import { GpioValueFile } from '../../main/services/mode/GpioValueFile.js';
import { ModeService } from '../../main/services/mode/ModeService.js';
import { createBundle } from '../../main/operator/bundles/BundleWriter.js';
import { InstallJournal } from '../../main/services/update/InstallJournal.js';
import { Installer } from '../../main/services/update/Installer.js';
import { generateKeys, loadSigningKey } from '../../main/operator/keys/signingKeys.js';
import { loadTrustedKey } from '../../main/services/update/trustedKeys.js';
import { bootSystem } from '../../main/services/update/bootSequence.js';
import { capturedLog } from '../logging/capturedLog.js';

// Test support for boot images (U-Boot boards): signed bundles with and without one, and a
// simulated headset's boot service and installer wired as headsetd wires them, without the API.

export const SLOT_SIZE = 1024 * 1024;
export const BOOT_CAPACITY = 512 * 1024;

export interface BootImageBundles {
  /** Scratch folder: keys, images, bundles; `remove()` deletes it. */
  work: string;
  trusted: TrustedKey[];
  /** 1.1.0 with a rootfs and a boot image (`bootImage`). */
  bundle: string;
  /** 1.1.0 with the same rootfs and no boot image. */
  rootfsOnly: string;
  bootImage: Buffer;
  remove(): void;
}

export async function makeBootImageBundles(prefix: string, bootImageBytes: number): Promise<BootImageBundles> {
  const work = mkdtempSync(join(tmpdir(), prefix));
  await generateKeys(join(work, 'keys'), ['bundle']);
  const trusted = [await loadTrustedKey(join(work, 'keys', 'bundle.pub'))];
  const key = await loadSigningKey(join(work, 'keys', 'bundle.key'));
  const rootfs = { name: 'rootfs', path: join(work, 'rootfs.img') };
  writeFileSync(rootfs.path, Buffer.concat([Buffer.from('HEADSET-OS 1.1.0\n'), randomBytes(100_000)]));
  const bootImage = randomBytes(bootImageBytes);
  writeFileSync(join(work, 'boot.img'), bootImage);
  const bundle = join(work, 'update-1.1.0.hcb');
  await createBundle({
    version: '1.1.0',
    compatible: 'HC-1-simulated',
    images: [rootfs, { name: 'fit', slot: 'boot', path: join(work, 'boot.img') }],
    key,
    out: bundle,
  });
  const rootfsOnly = join(work, 'rootfs-1.1.0.hcb');
  await createBundle({ version: '1.1.0', compatible: 'HC-1-simulated', images: [rootfs], key, out: rootfsOnly });
  return { work, trusted, bundle, rootfsOnly, bootImage, remove: () => rmSync(work, { recursive: true, force: true }) };
}

/** Powers a manufactured simulated headset on (the bootloader picks a slot) and runs the boot sequence. */
export async function powerOn(layout: SimulatedDeviceLayout, trusted: TrustedKey[]) {
  const firmware = new SimulatedFirmware(layout);
  const decision = await firmware.powerOn();
  const { bootloader } = await firmware.description();
  const boot = new BootService(
    await firmware.bootEnvironment(),
    new KernelCommandLine(layout.cmdline, layout.bootId),
    new SlotRecordFile(firmware.slotRecordsPath()),
    join(layout.stateDir, 'boot-count.json'),
  );
  const logs: string[] = [];
  const installer = new Installer({
    boot,
    partitions: new SimulatedSlotPartitions(layout, SLOT_SIZE, BOOT_CAPACITY),
    journal: new InstallJournal(join(layout.stateDir, 'install.json')),
    trusted,
    model: 'HC-1-simulated',
    bootSpace: new SimulatedBootPartition(layout, BOOT_CAPACITY, bootloader ?? 'grub'),
    log: capturedLog(logs),
  });
  const outcome = await bootSystem({ boot, installer, mode: new ModeService(layout.stateDir, new GpioValueFile(layout.recoveryButton)) });
  return { slot: decision.slot, outcome, boot, installer, logs, records: new SlotRecordFile(firmware.slotRecordsPath()) };
}
