import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedKey } from '../../src/update/verify.js';
import { BootService } from '../services/boot/BootService.js';
import { KernelCommandLine } from '../services/boot/KernelCommandLine.js';
import { SlotRecordFile } from '../services/boot/SlotRecordFile.js';
import { SimulatedBootPartition } from '../services/device/SimulatedBootPartition.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../services/device/SimulatedFirmware.js';
import { SimulatedSlotPartitions } from '../services/device/SimulatedSlotPartitions.js';
import { GpioValueFile } from '../services/mode/GpioValueFile.js';
import { ModeService } from '../services/mode/ModeService.js';
import { createBundle } from '../services/update/BundleWriter.js';
import { InstallJournal } from '../services/update/InstallJournal.js';
import { Installer } from '../services/update/Installer.js';
import { generateKeys, loadSigningKey, loadTrustedKey } from '../services/update/signingKeys.js';
import { bootSystem } from './bootSequence.js';

// The trial boot of a slot whose update carried a boot image (U-Boot boards: kernel, initramfs and
// device tree on the shared boot partition) commits only if the slot holds every image recorded
// for it: a damaged boot image fails the trial as a damaged rootfs does.

const SLOT_SIZE = 1024 * 1024;
const BOOT_CAPACITY = 512 * 1024;

let work: string;
let trusted: TrustedKey[];
let bundle: string;
let rootfsOnly: string;
let bootImage: Buffer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'boot-image-trial-'));
  await generateKeys(join(work, 'keys'), ['bundle']);
  trusted = [await loadTrustedKey(join(work, 'keys', 'bundle.pub'))];
  const key = await loadSigningKey(join(work, 'keys', 'bundle.key'));
  writeFileSync(join(work, 'rootfs.img'), Buffer.concat([Buffer.from('HEADSET-OS 1.1.0\n'), randomBytes(100_000)]));
  bootImage = randomBytes(150_000);
  writeFileSync(join(work, 'boot.img'), bootImage);
  bundle = join(work, 'update-1.1.0.hcb');
  await createBundle({ version: '1.1.0', compatible: 'HC-1-simulated', images: [{ name: 'rootfs', path: join(work, 'rootfs.img') }, { name: 'fit', slot: 'boot', path: join(work, 'boot.img') }], key, out: bundle });
  rootfsOnly = join(work, 'rootfs-1.1.0.hcb');
  await createBundle({ version: '1.1.0', compatible: 'HC-1-simulated', images: [{ name: 'rootfs', path: join(work, 'rootfs.img') }], key, out: rootfsOnly });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Powers the simulated U-Boot headset on (the bootloader picks a slot) and runs the boot sequence. */
async function powerOn(layout: SimulatedDeviceLayout) {
  const firmware = new SimulatedFirmware(layout);
  const decision = await firmware.powerOn();
  const boot = new BootService(await firmware.bootEnvironment(), new KernelCommandLine(layout.cmdline, layout.bootId), new SlotRecordFile(firmware.slotRecordsPath()), join(layout.stateDir, 'boot-count.json'));
  const logs: string[] = [];
  const installer = new Installer({
    boot,
    partitions: new SimulatedSlotPartitions(layout, SLOT_SIZE, BOOT_CAPACITY),
    journal: new InstallJournal(join(layout.stateDir, 'install.json')),
    trusted,
    model: 'HC-1-simulated',
    bootSpace: new SimulatedBootPartition(layout, BOOT_CAPACITY, 'uboot'),
    log: (line) => logs.push(line),
  });
  const outcome = await bootSystem({ boot, installer, mode: new ModeService(layout.stateDir, new GpioValueFile(layout.recoveryButton)) });
  return { slot: decision.slot, outcome, boot, installer, logs, records: new SlotRecordFile(firmware.slotRecordsPath()) };
}

async function installed(bundlePath: string) {
  const layout = new SimulatedDeviceLayout(mkdtempSync(join(work, 'device-')));
  await new SimulatedFirmware(layout).manufacture({ factoryVersion: '1.0.0', slotSizeBytes: SLOT_SIZE, bootloader: 'uboot' });
  const first = await powerOn(layout);
  await first.installer.install(bundlePath);
  return { layout, records: first.records };
}

describe('the trial boot of an update with a boot image', () => {
  it('records the boot image beside the rootfs, and commits when both are intact', async () => {
    const { layout, records } = await installed(bundle);
    const record = (await records.read()).B!;
    expect(Object.keys(record.images!).sort()).toEqual(['boot', 'rootfs']);
    expect(record.images!.boot!.length).toBe(bootImage.length);
    expect(record.image).toEqual(record.images!.rootfs);
    const trial = await powerOn(layout);
    expect(trial).toMatchObject({ slot: 'B', outcome: 'committed' });
  });

  it('a damaged boot image fails the trial: not committed, the tries run out, the old slot comes back', async () => {
    const { layout } = await installed(bundle);
    const damaged = readFileSync(layout.bootImage('B'));
    damaged[damaged.length - 1]! ^= 0xff;
    writeFileSync(layout.bootImage('B'), damaged);
    const outcomes: string[] = [];
    let last: Awaited<ReturnType<typeof powerOn>> | undefined;
    for (let boot = 0; boot < 4; boot++) {
      last = await powerOn(layout);
      outcomes.push(`${last.slot}:${last.outcome}`);
      if (last.slot === 'A') break;
    }
    expect(outcomes).toEqual(['B:trial-failed', 'B:trial-failed', 'B:trial-failed', 'A:rolled-back']);
    expect(last!.logs.join('\n')).not.toMatch(/committed/);
  });

  it('a boot image cut short or gone fails the trial too', async () => {
    for (const damage of ['short', 'gone'] as const) {
      const { layout } = await installed(bundle);
      if (damage === 'short') writeFileSync(layout.bootImage('B'), bootImage.subarray(0, 1000));
      else rmSync(layout.bootImage('B'));
      const trial = await powerOn(layout);
      expect(trial.outcome, damage).toBe('trial-failed');
      expect(trial.logs.join('\n'), damage).toMatch(/not healthy \(boot\)/);
    }
  });

  it('a record written before boot images existed (rootfs only) is still judged by its rootfs', async () => {
    const { layout, records } = await installed(rootfsOnly);
    const all = await records.read();
    const { images, ...old } = all.B!;
    expect(images).toEqual({ rootfs: old.image });
    await records.write({ ...all, B: old });
    expect((await powerOn(layout)).outcome).toBe('committed');
  });

  it('an old record with a damaged rootfs still fails', async () => {
    const { layout, records } = await installed(rootfsOnly);
    const all = await records.read();
    const { images: _images, ...old } = all.B!;
    await records.write({ ...all, B: old });
    const slot = readFileSync(layout.slotImage('B'));
    slot[10]! ^= 0xff;
    writeFileSync(layout.slotImage('B'), slot);
    const trial = await powerOn(layout);
    expect(trial.outcome).toBe('trial-failed');
    expect(trial.logs.join('\n')).toMatch(/not healthy \(rootfs\)/);
  });
});
