import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatfsBootPartition } from '../services/boot/BootPartitionSpace.js';
import { SimulatedBootPartition } from '../services/device/SimulatedBootPartition.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../services/device/SimulatedFirmware.js';
import { BOOT_CAPACITY, SLOT_SIZE, makeBootImageBundles, powerOn, type BootImageBundles } from '../../test-support/host/bootImageTestDevice.js';

// Bundles may carry a slot's boot image (kernel, initramfs, device tree) for the shared boot
// partition of a U-Boot board; the install checks that partition's room before writing anything.

const BOOT_IMAGE = 200_000;

let bundles: BootImageBundles;
let work: string;
let bundle: string;
let bootImage: Buffer;
let rootfsOnly: string;

beforeAll(async () => {
  bundles = await makeBootImageBundles('boot-space-', BOOT_IMAGE);
  ({ work, bundle, rootfsOnly, bootImage } = bundles);
});
afterAll(() => bundles.remove());

async function device(bootloader: 'grub' | 'uboot') {
  const root = mkdtempSync(join(work, 'device-'));
  const layout = new SimulatedDeviceLayout(root);
  await new SimulatedFirmware(layout).manufacture({ factoryVersion: '1.0.0', slotSizeBytes: SLOT_SIZE, bootloader });
  const { boot, installer } = await powerOn(layout, bundles.trusted);
  return { root, layout, boot, installer, space: new SimulatedBootPartition(layout, BOOT_CAPACITY, bootloader) };
}

/** Fills the boot partition with an old kernel so that `room` bytes are left for slot B. */
async function leaveRoom(parts: Awaited<ReturnType<typeof device>>, room: number): Promise<void> {
  const now = await parts.space.roomFor('B');
  writeFileSync(join(parts.layout.bootDir, 'vmlinuz.old'), Buffer.alloc(now - room));
  expect(await parts.space.roomFor('B')).toBe(room);
}

describe('the boot partition', () => {
  it("a bundle's boot image lands in the target slot's boot files, verified", async () => {
    const parts = await device('uboot');
    await leaveRoom(parts, BOOT_IMAGE);
    await parts.installer.install(bundle);
    expect(readFileSync(parts.layout.bootImage('B')).equals(bootImage)).toBe(true);
    expect(existsSync(parts.layout.bootImage('A'))).toBe(false);
  });

  it('without room for the boot image, UPDATE_NO_BOOT_SPACE before anything is written', async () => {
    const parts = await device('uboot');
    await leaveRoom(parts, BOOT_IMAGE - 1);
    const before = { env: await parts.boot.reload(), slot: readFileSync(parts.layout.slotImage('B')) };
    await expect(parts.installer.install(bundle)).rejects.toMatchObject({
      code: 'UPDATE_NO_BOOT_SPACE',
      details: { neededBytes: BOOT_IMAGE, availableBytes: BOOT_IMAGE - 1 },
    });
    expect(await parts.boot.reload()).toEqual(before.env);
    expect(readFileSync(parts.layout.slotImage('B')).equals(before.slot)).toBe(true);
    expect(existsSync(parts.layout.bootImage('B'))).toBe(false);
    expect(existsSync(join(parts.layout.stateDir, 'install.json'))).toBe(false);
  });

  it("the target slot's old boot image counts as room, since it is replaced", async () => {
    const parts = await device('uboot');
    mkdirSync(join(parts.layout.bootDir, 'B'), { recursive: true });
    writeFileSync(parts.layout.bootImage('B'), Buffer.alloc(150_000));
    const withOld = await parts.space.roomFor('B');
    rmSync(parts.layout.bootImage('B'));
    expect(await parts.space.roomFor('B')).toBe(withOld);
    // While A's boot files are not the target's: they take room.
    mkdirSync(join(parts.layout.bootDir, 'A'), { recursive: true });
    writeFileSync(parts.layout.bootImage('A'), Buffer.alloc(150_000));
    expect(await parts.space.roomFor('B')).toBe(withOld - 150_000);
  });

  it('GRUB: a full boot partition refuses even a bundle without boot image, since the environment is rewritten beside itself', async () => {
    const parts = await device('grub');
    await leaveRoom(parts, -1);
    await expect(parts.installer.install(rootfsOnly)).rejects.toMatchObject({ code: 'UPDATE_NO_BOOT_SPACE', details: { neededBytes: 0 } });
    // One more KiB, for the new grubenv block before its rename, and it installs.
    rmSync(join(parts.layout.bootDir, 'vmlinuz.old'));
    await parts.installer.install(rootfsOnly);
  });

  it("a device's /boot is measured with statfs (a real 1 MiB tmpfs)", async (context) => {
    const mountPoint = mkdtempSync(join(work, 'mnt-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      context.skip(); // mounting needs root; CI runs as root
      return;
    }
    try {
      const grub = new StatfsBootPartition(mountPoint, 'grub');
      const uboot = new StatfsBootPartition(mountPoint, 'uboot');
      expect(await uboot.roomFor()).toBe(1024 * 1024);
      expect(await grub.roomFor()).toBe(1024 * 1024 - 1024);
      writeFileSync(join(mountPoint, 'Image'), Buffer.alloc(256 * 1024));
      expect(await uboot.roomFor()).toBe(768 * 1024);
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});
