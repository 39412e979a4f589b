import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../services/device/SimulatedFirmware.js';
import { SlotRecordFile } from '../services/boot/SlotRecordFile.js';
import { SimulatedPageCache, type PageLoss } from '../services/device/SimulatedPageCache.js';
import { useFileSync } from '../services/storage/fileSync.js';
import { createBundle } from '../operator/bundles/BundleWriter.js';
import { createDeltaBundle } from '../operator/bundles/DeltaBundleWriter.js';
import { generateKeys, loadSigningKey } from '../operator/keys/signingKeys.js';
import { loadTrustedKey } from '../services/update/trustedKeys.js';
import { isFinished } from '../services/update/InstallJournal.js';
import type { TrustedKey } from '../../src/update/verify.js';
import {
  bootPowerCutServices,
  CutSwitch,
  downloadedBundle,
  downloadUpdate,
  expectBootedSlotMatchesRecord,
  expectUpdateBookkeeping,
  PowerCut,
  powerCutServices,
  readInstallJournal,
} from '../../test-support/host/powerCutRig.js';

// The power-cut matrix of updatePowerCut.test.ts for a file-aware delta (hsdelta-1): the factory
// image in slot A is a real ext4 image (mke2fs -d), the update rebuilds some of its files. A cut at
// any journal step or at any byte of the slot write must end with the new version committed (or,
// before the first journal entry, the old one running untouched): the applier reads only the source
// slot, so re-running it from the start after a cut gives the same bytes.

const MiB = 1024 * 1024;
const SLOT_SIZE = 4 * MiB;
const IMAGE_SIZE = 3 * MiB;
const RANDOM_BYTE_CUTS = 40;

let work: string;
let template: string;
let factoryBundle: string;
let bundle: string;
let delta: string;
let trusted: TrustedKey[];

function mkfs(dir: string, image: string): void {
  const uuid = '3e1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b';
  execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '1024', '-U', uuid, '-E', `hash_seed=${uuid}`, '-d', dir, image, `${IMAGE_SIZE / 1024}k`], {
    stdio: 'pipe',
    env: { ...process.env, E2FSPROGS_FAKE_TIME: '1767225600' },
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'powercut-file-delta-'));
  const v1 = join(work, 'v1/usr/bin');
  mkdirSync(v1, { recursive: true });
  let total = 0;
  const names: string[] = [];
  for (const name of readdirSync('/usr/bin').sort()) {
    const file = join('/usr/bin', name);
    try {
      const info = statSync(file);
      if (!info.isFile() || info.size < 40_000 || info.size > 400_000) continue;
      copyFileSync(file, join(v1, name));
    } catch {
      continue;
    }
    names.push(name);
    total += statSync(join(v1, name)).size;
    if (total > MiB) break;
  }
  cpSync(join(work, 'v1'), join(work, 'v2'), { recursive: true });
  // The update: one binary patched in place and grown, one new file.
  const patched = join(work, 'v2/usr/bin', names[1]!);
  const bytes = readFileSync(patched);
  randomBytes(2048).copy(bytes, Math.floor(bytes.length / 2));
  rmSync(patched);
  writeFileSync(patched, Buffer.concat([bytes, randomBytes(3000)]));
  writeFileSync(join(work, 'v2/usr/bin/hello'), randomBytes(20_000));
  mkfs(join(work, 'v1'), join(work, 'factory.img'));
  mkfs(join(work, 'v2'), join(work, 'rootfs.img'));

  await generateKeys(join(work, 'keys'), ['bundle']);
  trusted = [await loadTrustedKey(join(work, 'keys', 'bundle.pub'))];
  const key = await loadSigningKey(join(work, 'keys', 'bundle.key'));
  try {
    factoryBundle = join(work, 'factory-1.0.0.hcb');
    await createBundle({
      version: '1.0.0',
      compatible: 'HC-1-simulated',
      images: [{ name: 'rootfs', path: join(work, 'factory.img') }],
      key,
      out: factoryBundle,
    });
    bundle = join(work, 'update-1.1.0.hcb');
    await createBundle({
      version: '1.1.0',
      compatible: 'HC-1-simulated',
      images: [{ name: 'rootfs', path: join(work, 'rootfs.img') }],
      key,
      out: bundle,
    });
    delta = join(work, 'delta-1.0.0-1.1.0.hcb');
    const made = await createDeltaBundle({ from: factoryBundle, to: bundle, trusted, key, out: delta, method: 'file' });
    expect(made.manifest.images[0]!.compression).toBe('hsdelta-1');
  } finally {
    key.dispose();
  }

  // A device at 1.0.0 whose slot A holds the ext4 factory image, the delta downloaded.
  template = join(work, 'template');
  const layout = new SimulatedDeviceLayout(template);
  const firmware = new SimulatedFirmware(layout);
  await firmware.manufacture({ factoryVersion: '1.0.0', slotSizeBytes: SLOT_SIZE });
  const image = readFileSync(join(work, 'factory.img'));
  const fd = openSync(layout.slotImage('A'), 'r+');
  writeSync(fd, image, 0, image.length, 0);
  closeSync(fd);
  const records = new SlotRecordFile(firmware.slotRecordsPath());
  const factory = (await records.read()).A!;
  await records.write({ A: { ...factory, image: { length: image.length, sha256: createHash('sha256').update(image).digest('hex') } } });
  await powerOn(template, new CutSwitch());
  await downloadUpdate(template, device(), delta, '1.1.0', 'delta');
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const device = () => ({ trusted, slotSizeBytes: SLOT_SIZE });

function services(root: string, cut: CutSwitch, byteSeam = true) {
  if (!byteSeam) return powerCutServices(root, cut, device());
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

async function powerOn(root: string, cut: CutSwitch, byteSeam = true) {
  const parts = services(root, cut, byteSeam);
  const outcome = await bootPowerCutServices(parts);
  return { ...parts, outcome };
}

const notNewerThan = (version: string) => (version === '1.1.0' ? [bundle, factoryBundle] : [factoryBundle]);

function settled(root: string): boolean {
  const journal = readInstallJournal(root);
  return journal !== undefined && isFinished(journal.state) && journal.reported !== false;
}

async function scenario(cut: CutSwitch, context: string): Promise<{ final: string; slot: string; version: string; cutFired: boolean }> {
  const root = mkdtempSync(join(work, 'device-'));
  cpSync(template, root, { recursive: true });
  try {
    const first = services(root, cut);
    await first.boot.load();
    try {
      await first.installer.install(downloadedBundle(root));
    } catch (error) {
      if (!(error instanceof PowerCut)) throw error;
      // A real cut runs no clean-up: what the applier had in its folder stays until the next boot.
      mkdirSync(join(new SimulatedDeviceLayout(root).stateDir, 'delta-sources', 'hc-file-delta-cut'), { recursive: true });
      writeFileSync(join(new SimulatedDeviceLayout(root).stateDir, 'delta-sources', 'hc-file-delta-cut', 'payload'), 'left by a cut');
    }
    for (let boot = 0; boot < 10; boot++) {
      try {
        await powerOn(root, cut);
      } catch (error) {
        if (!(error instanceof PowerCut)) throw error;
        continue; // the power went during that boot: boot again
      }
      await expectBootedSlotMatchesRecord(root, device(), context);
      if (settled(root)) break;
    }
    const { slot, version } = await expectBootedSlotMatchesRecord(root, device(), context);
    await expectUpdateBookkeeping(root, device(), notNewerThan(version), context);
    // The applier's private folder (payload, decoded units) is in delta-sources, which an install's
    // end or the next boot removes: never left behind.
    const state = new SimulatedDeviceLayout(root).stateDir;
    expect(existsSync(join(state, 'delta-sources')), context).toBe(false);
    expect(
      readdirSync(state).filter((name) => name.startsWith('hc-file-delta-')),
      context,
    ).toEqual([]);
    return { final: readInstallJournal(root)?.state.step ?? 'none', slot, version, cutFired: cut.fired };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('file-aware delta update, power-cut matrix', () => {
  it('an uninterrupted update installs the rebuilt image, is tried, committed and runs from slot B', async () => {
    const result = await scenario(new CutSwitch(), 'no cut');
    expect(result).toMatchObject({ final: 'committed', slot: 'B', version: '1.1.0', cutFired: false });
  });

  it('a cut before any persistent step, or right after a journal write, resumes to the new version (or, before the first, never starts)', async () => {
    const counter = new CutSwitch();
    await scenario(counter, 'counting');
    expect(counter.events).toBeGreaterThan(16);
    for (let k = 0; k < counter.events; k++) {
      const result = await scenario(new CutSwitch(k), `cut at event ${k} of ${counter.events}`);
      expect(result.cutFired).toBe(true);
      if (k === 0) expect(result).toMatchObject({ final: 'none', slot: 'A', version: '1.0.0' });
      else expect(result, `cut before event ${k}`).toMatchObject({ final: 'committed', slot: 'B', version: '1.1.0' });
    }
  }, 300_000);

  it(`${RANDOM_BYTE_CUTS} cuts at random bytes of the slot write: the apply starts again from the source slot and the update lands`, async () => {
    for (let i = 0; i < RANDOM_BYTE_CUTS; i++) {
      const atByte = 1 + Math.floor(Math.random() * (IMAGE_SIZE - 1));
      const result = await scenario(new CutSwitch(undefined, atByte), `cut at byte ${atByte}`);
      expect(result.cutFired).toBe(true);
      expect(result).toMatchObject({ final: 'committed', slot: 'B', version: '1.1.0' });
    }
  }, 300_000);
});

/**
 * The harsher cut of updatePowerCutPageCache.test.ts: the power also takes the page cache, so what
 * no completed fsync covers goes back to what the medium held, turns to garbage, or a mix. No
 * per-chunk seam: the applier writes the slot itself (the product path, SlotFiller.fillSlot).
 */
async function pageCacheScenario(
  cut: CutSwitch,
  loss: PageLoss,
  seed: number,
): Promise<{ final: string; slot: string; version: string; journalled: boolean; trail: string[] }> {
  const root = mkdtempSync(join(work, 'device-'));
  cpSync(template, root, { recursive: true });
  const context = `${loss} seed ${seed}`;
  const attach = async (turn: number) => {
    cut.powerOn();
    return SimulatedPageCache.attach(root, { seed: seed * 100 + turn, beforeSync: () => cut.sync() });
  };
  let cache = await attach(0);
  let restore = useFileSync(cache);
  let journalled = false;
  const trail: string[] = [];
  try {
    const first = services(root, cut, false);
    await first.boot.load();
    try {
      await first.installer.install(downloadedBundle(root));
    } catch (error) {
      if (!(error instanceof PowerCut)) throw error;
      await cache.cut(loss);
      journalled = readInstallJournal(root) !== undefined;
      trail.push(`install cut, journal ${readInstallJournal(root)?.state.step ?? 'none'}`);
    }
    for (let boot = 1; boot <= 12; boot++) {
      restore();
      cache = await attach(boot);
      restore = useFileSync(cache);
      try {
        const booted = await powerOn(root, cut, false);
        trail.push(`${booted.boot.bootedSystemFacts().slot}:${booted.outcome}`);
      } catch (error) {
        if (!(error instanceof PowerCut)) throw error;
        await cache.cut(loss);
        trail.push(`boot cut, journal ${readInstallJournal(root)?.state.step ?? 'none'}`);
        continue;
      }
      await expectBootedSlotMatchesRecord(root, device(), context);
      if (settled(root)) break;
    }
    const { slot, version } = await expectBootedSlotMatchesRecord(root, device(), context);
    await expectUpdateBookkeeping(root, device(), notNewerThan(version), `${context} after ${trail.join(' > ')}`);
    expect(existsSync(join(new SimulatedDeviceLayout(root).stateDir, 'delta-sources')), `${context}: delta-sources left`).toBe(false);
    return { final: readInstallJournal(root)?.state.step ?? 'none', slot, version, journalled, trail };
  } finally {
    restore();
    rmSync(root, { recursive: true, force: true });
  }
}

describe('file-aware delta update, power-cut matrix with page-cache loss', () => {
  const LOSSES: readonly PageLoss[] = ['revert', 'garbage', 'mixed'];
  it('a cut before every fsync, journal and boot-environment write and after every journal write, unsynced pages lost: landed, or never begun', async () => {
    const counter = new CutSwitch();
    expect(await pageCacheScenario(counter, 'revert', 0)).toMatchObject({ final: 'committed', slot: 'B', version: '1.1.0' });
    expect(counter.events).toBeGreaterThan(20);
    for (let k = 0; k < counter.events; k++) {
      const loss = LOSSES[k % LOSSES.length]!;
      const result = await pageCacheScenario(new CutSwitch(k), loss, 5000 + k);
      const context = `${loss}: cut before event ${k} of ${counter.events}: ${result.trail.join(' > ')}`;
      if (result.final === 'committed') expect(result, context).toMatchObject({ slot: 'B', version: '1.1.0' });
      else expect(result, context).toMatchObject({ final: 'none', slot: 'A', version: '1.0.0', journalled: false });
    }
  }, 600_000);
});
