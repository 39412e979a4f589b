import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../services/device/SimulatedFirmware.js';
import { createBundle } from '../operator/bundles/BundleWriter.js';
import { createDeltaBundle } from '../operator/bundles/DeltaBundleWriter.js';
import { generateKeys, loadSigningKey } from '../operator/keys/signingKeys.js';
import { loadTrustedKey } from '../services/update/trustedKeys.js';
import { isFinished } from '../services/update/InstallJournal.js';
import { hashSlotPrefix } from '../services/update/SlotWriter.js';
import type { TrustedKey } from '../../src/update/verify.js';
import { compareVersions } from '../../src/update/version.js';
import {
  bootPowerCutServices,
  CutSwitch,
  downloadedBundle,
  downloadUpdate,
  expectBootedSlotMatchesRecord,
  expectUpdateBookkeeping,
  expectRestartShown,
  expectWentBackOrStayed,
  KEPT,
  keptVersionsTemplate,
  ListedBundlesCatalog,
  OTHER_SLOT,
  PowerCut,
  powerCutServices,
  readInstallJournal,
} from '../../test-support/host/powerCutRig.js';

// Killing headsetd is a power cut and starting it is a boot. Here the cut is a thrown PowerCut at
// a chosen persistent step (before a journal or boot-environment write, or right after a journal
// write) or byte of the slot write (nothing after it runs), and a boot is a new set of services
// over the same folder after the firmware's power-on. The update installed is the one downloaded
// (offered, in the update cache), as the wearer installs it.

const SLOT_SIZE = 2 * 1024 * 1024;
const IMAGE_LENGTH = 1024 * 1024 + 4321;
const RANDOM_BYTE_CUTS = 200;

let work: string;
let template: string;
/** The template with the delta downloaded instead of the full bundle. */
let deltaTemplate: string;
let bundle: string;
let factoryBundle: string;
let trusted: TrustedKey[];
let newImageSha: string;
let delta: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'powercut-'));
  await generateKeys(join(work, 'keys'), ['bundle']);
  trusted = [await loadTrustedKey(join(work, 'keys', 'bundle.pub'))];
  const image = Buffer.concat([Buffer.from('HEADSET-OS 1.1.0\n'), randomBytes(IMAGE_LENGTH - 17)]);
  newImageSha = createHash('sha256').update(image).digest('hex');
  writeFileSync(join(work, 'rootfs.img'), image);
  bundle = join(work, 'update-1.1.0.hcb');
  await createBundle({
    version: '1.1.0',
    compatible: 'HC-1-simulated',
    images: [{ name: 'rootfs', path: join(work, 'rootfs.img') }],
    key: await loadSigningKey(join(work, 'keys', 'bundle.key')),
    out: bundle,
  });
  // The factory image as a full 1.0.0 bundle, and a delta from it to 1.1.0.
  writeFileSync(join(work, 'factory.img'), 'HEADSET-OS 1.0.0\n');
  const key = await loadSigningKey(join(work, 'keys', 'bundle.key'));
  factoryBundle = join(work, 'factory-1.0.0.hcb');
  await createBundle({
    version: '1.0.0',
    compatible: 'HC-1-simulated',
    images: [{ name: 'rootfs', path: join(work, 'factory.img') }],
    key,
    out: factoryBundle,
  });
  delta = join(work, 'delta-1.0.0-1.1.0.hcb');
  await createDeltaBundle({ from: factoryBundle, to: bundle, trusted, key, out: delta });
  // A device at 1.0.0 that has booted once, 1.1.0 downloaded: copied for each scenario.
  template = join(work, 'template');
  const firmware = new SimulatedFirmware(new SimulatedDeviceLayout(template));
  await firmware.manufacture({ factoryVersion: '1.0.0', slotSizeBytes: SLOT_SIZE });
  await powerOn(template, new CutSwitch());
  deltaTemplate = join(work, 'delta-template');
  cpSync(template, deltaTemplate, { recursive: true });
  await downloadUpdate(template, device(), bundle, '1.1.0');
  await downloadUpdate(deltaTemplate, device(), delta, '1.1.0', 'delta');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const device = () => ({ trusted, slotSizeBytes: SLOT_SIZE });

function services(root: string, cut: CutSwitch) {
  return powerCutServices(root, cut, {
    ...device(),
    afterChunk: (bytes, path) => {
      if (cut.fired || cut.atByte === undefined || bytes < cut.atByte) return;
      // The cut lands inside this chunk: what followed the cut byte never reached the medium.
      const fd = openSync(path, 'r+');
      writeSync(fd, randomBytes(Math.min(bytes - cut.atByte, 64 * 1024)), 0, undefined, cut.atByte);
      closeSync(fd);
      cut.fire();
    },
  });
}

async function powerOn(root: string, cut: CutSwitch) {
  const parts = services(root, cut);
  const outcome = await bootPowerCutServices(parts);
  return { ...parts, outcome };
}

/** Bundles of the version that runs, and older: each must be refused. */
const notNewerThan = (version: string) => (version === '1.1.0' ? [bundle, factoryBundle] : [factoryBundle]);

/** The journal says the update ended, and what follows that was done. */
function settled(root: string): boolean {
  const journal = readInstallJournal(root);
  return journal !== undefined && isFinished(journal.state) && journal.reported !== false;
}

/**
 * Install with a cut armed, then power on until the update settles. Returns how it ended, and what
 * each power-on after the install did (`trail`: slot and outcome, or the cut).
 */
async function scenario(
  cut: CutSwitch,
  context: string,
): Promise<{ final: string; slot: string; version: string; cutFired: boolean; trail: string[] }> {
  const root = mkdtempSync(join(work, 'device-'));
  cpSync(template, root, { recursive: true });
  const trail: string[] = [];
  try {
    const first = services(root, cut);
    await first.boot.load();
    try {
      await first.installer.install(downloadedBundle(root));
    } catch (error) {
      if (!(error instanceof PowerCut)) throw error;
    }
    for (let boot = 0; boot < 10; boot++) {
      try {
        const booted = await powerOn(root, cut);
        trail.push(`${booted.boot.bootedSystemFacts().slot}:${booted.outcome}`);
      } catch (error) {
        if (!(error instanceof PowerCut)) throw error;
        trail.push('boot cut');
        continue; // the power went during that boot: boot again
      }
      await expectBootedSlotMatchesRecord(root, device());
      if (settled(root)) break;
    }
    const { slot, version } = await expectBootedSlotMatchesRecord(root, device());
    await expectUpdateBookkeeping(root, device(), notNewerThan(version), context);
    return { final: readInstallJournal(root)?.state.step ?? 'none', slot, version, cutFired: cut.fired, trail };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('update power-cut matrix', () => {
  it('an uninterrupted update installs, is tried, committed and runs from slot B', async () => {
    const result = await scenario(new CutSwitch(), 'no cut');
    expect(result).toMatchObject({ final: 'committed', slot: 'B', version: '1.1.0', cutFired: false });
  });

  it('a cut before any persistent step, or right after a journal write, resumes to the new version (or, before the first, never starts)', async () => {
    // Count the steps of an uninterrupted run, then cut at each one in turn.
    const counter = new CutSwitch();
    await scenario(counter, 'counting');
    expect(counter.events).toBeGreaterThan(16);
    const outcomes = new Map<string, number>();
    for (let k = 0; k < counter.events; k++) {
      const result = await scenario(new CutSwitch(k), `cut at event ${k} of ${counter.events}`);
      expect(result.cutFired).toBe(true);
      if (k === 0) {
        // Cut before the journal's first entry: the install never began; the old system runs on.
        expect(result).toMatchObject({ final: 'none', slot: 'A', version: '1.0.0' });
      } else {
        expect(result.final, `cut before event ${k}`).toBe('committed');
        expect(result).toMatchObject({ slot: 'B', version: '1.1.0' });
      }
      outcomes.set(result.final, (outcomes.get(result.final) ?? 0) + 1);
    }
    expect(outcomes.get('committed')).toBe(counter.events - 1);
  }, 120_000);

  it('a cut between the switch to the trial and its journal entry: the first boot after it is the trial, and commits', async () => {
    const counter = new CutSwitch();
    await scenario(counter, 'counting');
    // The switch is the boot-environment write between "switch" and "await-reboot" in the journal.
    const switched = counter.labels.indexOf('before journal await-reboot');
    expect(counter.labels.slice(switched - 2, switched)).toEqual(['after journal switch', 'boot environment']);
    const result = await scenario(new CutSwitch(switched), 'cut after the switch');
    expect(result).toMatchObject({ final: 'committed', slot: 'B', version: '1.1.0', cutFired: true });
    // One boot, the trial, which commits: no tries spent for nothing, no fallback, no second switch.
    expect(result.trail).toEqual(['B:committed']);
  });

  it(`${RANDOM_BYTE_CUTS} cuts at random bytes of the slot write: the write restarts and the update lands`, async () => {
    let landed = 0;
    for (let i = 0; i < RANDOM_BYTE_CUTS; i++) {
      const atByte = 1 + Math.floor(Math.random() * (IMAGE_LENGTH - 1));
      const result = await scenario(new CutSwitch(undefined, atByte), `cut at byte ${atByte}`);
      expect(result.cutFired).toBe(true);
      expect(result).toMatchObject({ final: 'committed', slot: 'B', version: '1.1.0' });
      landed++;
    }
    expect(landed).toBe(RANDOM_BYTE_CUTS);
  }, 300_000);

  it('a trial that is not healthy is never committed: its tries run out and the old slot comes back', async () => {
    const root = mkdtempSync(join(work, 'device-'));
    cpSync(template, root, { recursive: true });
    try {
      const first = services(root, new CutSwitch());
      await first.boot.load();
      await first.installer.install(downloadedBundle(root));
      // The new image is damaged on the medium after it was verified.
      const fd = openSync(first.layout.slotImage('B'), 'r+');
      writeSync(fd, Buffer.from('XXXX'), 0, undefined, 100);
      closeSync(fd);
      const outcomes: string[] = [];
      for (let boot = 0; boot < 5 && readInstallJournal(root)?.state.step !== 'rolled-back'; boot++)
        outcomes.push((await powerOn(root, new CutSwitch())).outcome);
      expect(outcomes).toEqual(['trial-failed', 'trial-failed', 'trial-failed', 'rolled-back']);
      const { slot, version } = await expectBootedSlotMatchesRecord(root, device());
      expect({ slot, version }).toEqual({ slot: 'A', version: '1.0.0' });
      const again = await powerOn(root, new CutSwitch());
      expect(again.boot.status.current()).toMatchObject({ activeSlot: 'A', fellBack: false });
      expect(again.boot.status.current()!.slots[1]).toMatchObject({ name: 'B', bootable: false, version: null });
      await expectUpdateBookkeeping(root, device(), notNewerThan('1.0.0'), 'rolled back');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses what must not be installed, leaving both slots as they were', async () => {
    const root = mkdtempSync(join(work, 'device-'));
    cpSync(template, root, { recursive: true });
    try {
      const { boot, installer } = services(root, new CutSwitch());
      await boot.load();
      const before = readFileSync(join(root, 'boot', 'grubenv'));
      // Tampered bundle: one byte of the payload flipped.
      const tampered = join(root, 'tampered.hcb');
      const bytes = readFileSync(bundle);
      bytes[bytes.length - 10]! ^= 0xff;
      writeFileSync(tampered, bytes);
      await expect(installer.install(tampered)).rejects.toMatchObject({ code: expect.stringMatching(/^BUNDLE_/) });
      // The older version again (rollback attack) is refused before anything is touched.
      const newer = services(root, new CutSwitch());
      await newer.boot.load();
      const records = await newer.boot.slotRecordsStore().read();
      records.A = { ...records.A!, version: '2.0.0' };
      await newer.boot.slotRecordsStore().write(records);
      await expect(newer.installer.install(bundle)).rejects.toMatchObject({ code: 'UPDATE_NOT_NEWER' });
      expect(readFileSync(join(root, 'boot', 'grubenv')).equals(before) || readInstallJournal(root)?.state.step === 'failed').toBe(true);
      expect(await hashSlotPrefix(new SimulatedDeviceLayout(root).slotImage('A'), 17)).toBe(
        createHash('sha256').update('HEADSET-OS 1.0.0\n').digest('hex'),
      );
      expect(newImageSha).toHaveLength(64);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('installs a delta bundle against the running image, and refuses one made from another image before touching anything', async () => {
    const root = mkdtempSync(join(work, 'device-'));
    cpSync(deltaTemplate, root, { recursive: true });
    try {
      const { boot, installer } = services(root, new CutSwitch());
      await boot.load();
      await installer.install(downloadedBundle(root));
      // The source's copy (the slot is larger than the image) is gone once the install is over.
      const copies = join(new SimulatedDeviceLayout(root).stateDir, 'delta-sources');
      expect(existsSync(copies)).toBe(false);
      // One a power cut left behind goes at the next boot.
      mkdirSync(copies, { mode: 0o700 });
      writeFileSync(join(copies, 'rootfs.source.img'), 'left by a cut');
      await powerOn(root, new CutSwitch());
      expect(existsSync(copies)).toBe(false);
      expect(readInstallJournal(root)?.state.step).toBe('committed');
      expect(await expectBootedSlotMatchesRecord(root, device())).toEqual({ slot: 'B', version: '1.1.0' });
      await expectUpdateBookkeeping(root, device(), notNewerThan('1.1.0'), 'delta');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const other = mkdtempSync(join(work, 'device-'));
    cpSync(template, other, { recursive: true });
    try {
      // Slot A holds something else than the image the delta was made from.
      const fd = openSync(new SimulatedDeviceLayout(other).slotImage('A'), 'r+');
      writeSync(fd, Buffer.from('HEADSET-OS 1.0.9\n'), 0, undefined, 0);
      closeSync(fd);
      const before = readFileSync(join(other, 'boot', 'grubenv'));
      const slotB = readFileSync(new SimulatedDeviceLayout(other).slotImage('B'));
      const { boot, installer } = services(other, new CutSwitch());
      await boot.load();
      await expect(installer.install(delta)).rejects.toMatchObject({ code: 'DELTA_SOURCE_MISMATCH' });
      expect(readFileSync(join(other, 'boot', 'grubenv')).equals(before)).toBe(true);
      expect(readFileSync(new SimulatedDeviceLayout(other).slotImage('B')).equals(slotB)).toBe(true);
      expect(readInstallJournal(other)).toBeUndefined();
      expect(existsSync(join(new SimulatedDeviceLayout(other).stateDir, 'delta-sources'))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

/** Slots of the kept-versions headset: room for its small images, little to copy for each cut. */
const KEPT_SLOT_SIZE = 128 * 1024;

describe('going back to a kept version, cut at every step', () => {
  const keptDevice = () => ({ ...device(), slotSizeBytes: KEPT_SLOT_SIZE, snapshots: true });
  let kept: Awaited<ReturnType<typeof keptVersionsTemplate>>;
  beforeAll(async () => {
    kept = await keptVersionsTemplate(join(work, 'kept'), keptDevice(), join(work, 'keys', 'bundle.key'));
  }, 60_000);

  /** The repository still lists every kept bundle: going back is allowed. */
  const listing = () => ({ ...keptDevice(), catalog: new ListedBundlesCatalog(kept.bundles) });

  /**
   * Asks for KEPT.to (update.rollback), or with `otherSlot` for the other slot's version (without
   * one), with a cut armed, then powers on until it settles; checks data, history, slots, and after
   * each boot that a restart still waited for is shown with its version.
   */
  async function goBack(cut: CutSwitch, options: { failTrial?: boolean; otherSlot?: boolean } = {}): Promise<{ outcome: string; context: string }> {
    const how = options.otherSlot ? OTHER_SLOT : KEPT;
    const root = mkdtempSync(join(work, 'kept-device-'));
    cpSync(kept.template, root, { recursive: true });
    const trail: string[] = [];
    const context = () => `${cut.describe()}: ${trail.join(' > ')}`;
    try {
      const first = powerCutServices(root, cut, listing());
      await first.boot.load();
      try {
        await first.updates.rollback(options.otherSlot ? undefined : KEPT.to);
        trail.push(options.otherSlot ? 'switched' : 'reinstalled');
      } catch (error) {
        if (!(error instanceof PowerCut)) throw error;
        trail.push(`cut, journal ${readInstallJournal(root)?.state.step}`);
      }
      let damaged = false;
      for (let boot = 0; boot < 10; boot++) {
        // Once written and recorded (a resumed write would start over and mend it).
        if (options.failTrial && !damaged && ['switch', 'await-reboot'].includes(readInstallJournal(root)?.state.step ?? '')) {
          // The reinstalled image goes bad on the medium after it was verified: its trial cannot pass.
          const fd = openSync(new SimulatedDeviceLayout(root).slotImage(how.into), 'r+');
          writeSync(fd, Buffer.from('XXXX'), 0, undefined, 100);
          closeSync(fd);
          damaged = true;
        }
        let booted: Awaited<ReturnType<typeof bootPowerCutServices>>;
        const parts = powerCutServices(root, cut, listing());
        try {
          booted = await bootPowerCutServices(parts);
        } catch (error) {
          if (!(error instanceof PowerCut)) throw error;
          trail.push(`boot cut, journal ${readInstallJournal(root)?.state.step}`);
          continue;
        }
        trail.push(`${parts.boot.bootedSystemFacts().slot}:${booted}`);
        await expectRestartShown(root, parts.updates, how.to, context());
        // A damaged trial's slot does not hold its recorded image, by design.
        if (!(options.failTrial && parts.boot.bootedSystemFacts().slot === how.into))
          await expectBootedSlotMatchesRecord(root, keptDevice(), context());
        if (settled(root)) break;
      }
      const outcome = await expectWentBackOrStayed(root, keptDevice(), how, context());
      const notNewer = kept.bundles.filter((b) => compareVersions(b.version, outcome === 'went back' ? how.to : how.from.version) <= 0);
      await expectUpdateBookkeeping(
        root,
        keptDevice(),
        notNewer.map((b) => b.bundle),
        context(),
      );
      return { outcome, context: context() };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }

  it('without a cut: reinstalled, tried, committed, on the data that version last ran with, told once', async () => {
    const counter = new CutSwitch();
    expect((await goBack(counter)).outcome).toBe('went back');
    // The trial boot's restore of the data is a journalled step of its own.
    expect(counter.labels).toContain('after journal await-reboot, data restored');
  });

  it('a cut before every journal and boot-environment write and after every journal write: it went back whole, or (before the first entry) not at all', async () => {
    const counter = new CutSwitch();
    await goBack(counter);
    expect(counter.events).toBeGreaterThan(16);
    for (let k = 0; k < counter.events; k++) {
      const { outcome, context } = await goBack(new CutSwitch(k));
      expect(outcome, context).toBe(k === 0 ? 'stayed' : 'went back');
    }
  }, 60_000);

  it('a kept version whose trial fails: its tries run out, the newer one comes back on its own data, with a cut at every step', async () => {
    const counter = new CutSwitch();
    expect((await goBack(counter, { failTrial: true })).outcome).toBe('stayed');
    // Its trial boots did bring its data back: the rollback gives the newer version's back.
    expect(counter.labels).toContain('after journal await-reboot, data restored');
    for (let k = 0; k < counter.events; k++) {
      const { outcome, context } = await goBack(new CutSwitch(k), { failTrial: true });
      expect(outcome, context).toBe('stayed');
    }
  }, 60_000);

  describe('going back to the other slot', () => {
    it('without a cut: switched, tried, committed, on the data that version last ran with, told once', async () => {
      const counter = new CutSwitch();
      expect((await goBack(counter, { otherSlot: true })).outcome).toBe('went back');
      // Journalled like an install from its switch on, the data given back at the trial boot.
      expect(counter.labels).toEqual([
        'before journal switch',
        'after journal switch',
        'boot environment',
        'before journal await-reboot',
        'after journal await-reboot',
        'before journal await-reboot, data restored',
        'after journal await-reboot, data restored',
        'boot environment',
        'before journal committed',
        'after journal committed',
        'before journal committed, reported',
        'after journal committed, reported',
      ]);
    });

    it('a cut before every journal and boot-environment write and after every journal write: it went back whole, or (before the first entry) not at all', async () => {
      const counter = new CutSwitch();
      await goBack(counter, { otherSlot: true });
      // Its journal entry before the boot order changes: a cut right after that change is in the matrix.
      expect(counter.labels.slice(0, 3)).toEqual(['before journal switch', 'after journal switch', 'boot environment']);
      for (let k = 0; k < counter.events; k++) {
        const { outcome, context } = await goBack(new CutSwitch(k), { otherSlot: true });
        expect(outcome, context).toBe(k === 0 ? 'stayed' : 'went back');
      }
    }, 30_000);

    it('refused while an install waits for its trial (its journal stays), and where the other slot holds nothing', async () => {
      const root = mkdtempSync(join(work, 'device-'));
      cpSync(template, root, { recursive: true });
      try {
        const { boot, installer } = services(root, new CutSwitch());
        await boot.load();
        // The factory's other slot is empty: nothing to go back to.
        await expect(installer.goBackToOtherSlot()).rejects.toMatchObject({ code: 'UPDATE_NOTHING_TO_DO' });
        expect(readInstallJournal(root)).toBeUndefined();
        await installer.install(downloadedBundle(root));
        const journal = readInstallJournal(root);
        const environment = readFileSync(join(root, 'boot', 'grubenv'));
        await expect(installer.goBackToOtherSlot()).rejects.toMatchObject({ code: 'UPDATE_IN_PROGRESS', message: /1\.1\.0.*await-reboot/ });
        expect(readInstallJournal(root)).toEqual(journal);
        expect(readFileSync(join(root, 'boot', 'grubenv')).equals(environment)).toBe(true);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it('a slot whose trial fails: its tries run out, the newer version comes back on its own data, told as rolled back', async () => {
      // (The rollback after a failed trial is the installs' own, cut at every step above.)
      expect((await goBack(new CutSwitch(), { otherSlot: true, failTrial: true })).outcome).toBe('stayed');
    });
  });
});
