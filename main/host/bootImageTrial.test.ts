import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../services/device/SimulatedFirmware.js';
import { SLOT_SIZE, makeBootImageBundles, powerOn as powerOnWith, type BootImageBundles } from '../../test-support/host/bootImageTestDevice.js';

// The trial boot of a slot whose update carried a boot image (U-Boot boards: kernel, initramfs and
// device tree on the shared boot partition) commits only if the slot holds every image recorded
// for it: a damaged boot image fails the trial as a damaged rootfs does.

let bundles: BootImageBundles;
let work: string;
let bundle: string;
let rootfsOnly: string;
let bootImage: Buffer;

beforeAll(async () => {
  bundles = await makeBootImageBundles('boot-image-trial-', 150_000);
  ({ work, bundle, rootfsOnly, bootImage } = bundles);
});
afterAll(() => bundles.remove());

const powerOn = (layout: SimulatedDeviceLayout) => powerOnWith(layout, bundles.trusted);

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
