import { createHash, randomBytes } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../services/device/SimulatedFirmware.js';
import { SimulatedPageCache, type PageLoss } from '../services/device/SimulatedPageCache.js';
import { useFileSync } from '../services/storage/fileSync.js';
import { createBundle } from '../operator/bundles/BundleWriter.js';
import { createDeltaBundle } from '../operator/bundles/DeltaBundleWriter.js';
import { downloadOnce } from '../services/update/download/ResumableDownload.js';
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

// The power-cut matrix again, with a harsher cut: besides stopping the process, the power takes
// the page cache with it. Whatever no completed fsync covers (slot pages, a temporary file, a
// rename whose folder was not synced) goes back to what the medium held, or turns to garbage, or
// a mix (SimulatedPageCache). Cuts land before every fsync of a file and of a folder (the update
// path's persistent steps at the lowest level: write, fsync, rename, folder fsync), before every
// journal and boot-environment write and right after every journal write, and at random bytes of
// the slot write. The update installed is the one downloaded (offered, in the update cache).

const SLOT_SIZE = 2 * 1024 * 1024;
const IMAGE_LENGTH = 1024 * 1024 + 4321;
const RANDOM_BYTE_CUTS = 30;
const DOWNLOAD_CUTS = 30;
const LOSSES: readonly PageLoss[] = ['revert', 'garbage', 'mixed'];

let work: string;
let template: string;
/** The template with the delta downloaded instead of the full bundle. */
let deltaTemplate: string;
let bundle: string;
let factoryBundle: string;
let trusted: TrustedKey[];
let factorySha: string;
let delta: string;
/** The wearer's data on the device before the update, which a rollback must give back. */
const USER_DATA = { 'settings.json': '{"theme":"high-contrast","ipd":63.5}\n', 'maps/room.bin': randomBytes(3 * 4096 + 77) };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'powercut-cache-'));
  await generateKeys(join(work, 'keys'), ['bundle']);
  trusted = [await loadTrustedKey(join(work, 'keys', 'bundle.pub'))];
  const image = Buffer.concat([Buffer.from('HEADSET-OS 1.1.0\n'), randomBytes(IMAGE_LENGTH - 17)]);
  writeFileSync(join(work, 'rootfs.img'), image);
  bundle = join(work, 'update-1.1.0.hcb');
  await createBundle({
    version: '1.1.0',
    compatible: 'HC-1-simulated',
    images: [{ name: 'rootfs', path: join(work, 'rootfs.img') }],
    key: await loadSigningKey(join(work, 'keys', 'bundle.key')),
    out: bundle,
  });
  factorySha = createHash('sha256').update('HEADSET-OS 1.0.0\n').digest('hex');
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
  template = join(work, 'template');
  const firmware = new SimulatedFirmware(new SimulatedDeviceLayout(template));
  await firmware.manufacture({ factoryVersion: '1.0.0', slotSizeBytes: SLOT_SIZE });
  await powerOn(template, new CutSwitch());
  for (const [name, content] of Object.entries(USER_DATA)) {
    mkdirSync(join(new SimulatedDeviceLayout(template).dataDir, name, '..'), { recursive: true });
    writeFileSync(join(new SimulatedDeviceLayout(template).dataDir, name), content);
  }
  deltaTemplate = join(work, 'delta-template');
  cpSync(template, deltaTemplate, { recursive: true });
  await downloadUpdate(template, device(), bundle, '1.1.0');
  await downloadUpdate(deltaTemplate, device(), delta, '1.1.0', 'delta');
});

afterAll(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/** Serves the bundle with Range support, as the update repository's web server does. */
let server: Server | undefined;
async function serveBundle(): Promise<string> {
  const bytes = readFileSync(bundle);
  server = createServer((request, response) => {
    const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
    response.writeHead(start > 0 ? 206 : 200, {
      'Content-Length': bytes.length - start,
      ...(start > 0 ? { 'Content-Range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
    });
    response.end(bytes.subarray(start));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/update.hcb`;
}

const device = () => ({ trusted, slotSizeBytes: SLOT_SIZE, snapshots: true });

/** `byteSeam: false`: no per-chunk cut point, so a delta goes the product's way (zstd straight into the slot). */
function services(root: string, cut: CutSwitch, byteSeam = true) {
  return powerCutServices(root, cut, {
    ...device(),
    // The cut lands in this chunk; the page cache decides what of the unsynced slot survives.
    ...(byteSeam
      ? {
          afterChunk: (bytes: number) => {
            if (!cut.fired && cut.atByte !== undefined && bytes >= cut.atByte) cut.fire();
          },
        }
      : {}),
  });
}

async function powerOn(root: string, cut: CutSwitch, byteSeam = true) {
  const parts = services(root, cut, byteSeam);
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

interface Outcome {
  final: string;
  slot: string;
  version: string;
  cutFired: boolean;
  /** Whether the install's first journal entry was durable when the power went. */
  journalled: boolean;
  /** What each power-on did, for a failure's message. */
  trail: string[];
}

/**
 * Installs with a cut armed; at the cut the page cache loses what was not synced; then power on
 * (each power-on a fresh page cache: what is on the medium is durable) until the update settles.
 */
async function scenario(cut: CutSwitch, loss: PageLoss, seed: number, options: { failTrial?: boolean; delta?: boolean } = {}): Promise<Outcome> {
  const byteSeam = !options.delta;
  const root = mkdtempSync(join(work, 'device-'));
  cpSync(options.delta ? deltaTemplate : template, root, { recursive: true });
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
    const first = services(root, cut, byteSeam);
    await first.boot.load();
    try {
      await first.installer.install(downloadedBundle(root));
    } catch (error) {
      if (!(error instanceof PowerCut)) throw error;
      await cache.cut(loss);
      journalled = readInstallJournal(root) !== undefined;
      trail.push(`install cut, journal ${readInstallJournal(root)?.state.step ?? 'none'}`);
    }
    let damaged = false;
    for (let boot = 1; boot <= 12; boot++) {
      // Once written and recorded (a resumed write would start over and mend it).
      if (options.failTrial && !damaged && ['switch', 'await-reboot'].includes(readInstallJournal(root)?.state.step ?? '')) {
        // The new image goes bad on the medium after it was verified: its trial cannot pass.
        const fd = openSync(new SimulatedDeviceLayout(root).slotImage('B'), 'r+');
        writeSync(fd, Buffer.from('XXXX'), 0, undefined, 100);
        closeSync(fd);
        damaged = true;
      }
      restore();
      cache = await attach(boot);
      restore = useFileSync(cache);
      let booted: Awaited<ReturnType<typeof powerOn>>;
      try {
        booted = await powerOn(root, cut, byteSeam);
        trail.push(`${booted.boot.bootedSystemFacts().slot}:${booted.outcome}`);
      } catch (error) {
        if (!(error instanceof PowerCut)) throw error;
        await cache.cut(loss);
        trail.push(`boot cut, journal ${readInstallJournal(root)?.state.step ?? 'none'}`);
        continue; // the power went during that boot: boot again
      }
      if (booted.boot.bootedSystemFacts().slot === 'B' && options.failTrial) {
        // The new system migrates the data during its trial (not synced: it may be lost too).
        writeFileSync(join(booted.layout.dataDir, 'settings.json'), '{"theme":"migrated"}\n');
        continue; // a damaged trial: its slot does not hold its recorded image, by design
      }
      await expectBootedSlotMatchesRecord(root, device(), context);
      if (settled(root)) break;
    }
    const { slot, version } = await expectBootedSlotMatchesRecord(root, device(), context);
    await expectUpdateBookkeeping(root, device(), notNewerThan(version), `${context} after ${trail.join(' > ')}`);
    // The slot the update started from was never written: its image is whole, whatever was lost.
    expect(await hashSlotPrefix(new SimulatedDeviceLayout(root).slotImage('A'), 17), `${context}: slot A`).toBe(factorySha);
    // The wearer's data: as it was, or (committed) as the new system may have left it.
    if (slot === 'A') {
      for (const [name, content] of Object.entries(USER_DATA)) {
        const path = join(new SimulatedDeviceLayout(root).dataDir, name);
        expect(existsSync(path) && readFileSync(path).equals(Buffer.from(content)), `${context}: data/${name} after ${trail.join(' > ')}`).toBe(true);
      }
    }
    // No copy of a delta's source outlives the install, even one a cut left (removed at the next boot).
    expect(existsSync(join(new SimulatedDeviceLayout(root).stateDir, 'delta-sources')), `${context}: delta-sources left`).toBe(false);
    return { final: readInstallJournal(root)?.state.step ?? 'none', slot, version, cutFired: cut.fired, journalled, trail };
  } finally {
    restore();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Zero bricks, and the update either landed or never began (the old system, intact, runs on). */
function expectSettled(result: Outcome, context: string): void {
  expect(result.cutFired, context).toBe(true);
  if (result.final === 'committed') expect(result, context).toMatchObject({ slot: 'B', version: '1.1.0' });
  else {
    // Only a cut before the journal's first entry was durable may leave no install behind.
    expect(result, context).toMatchObject({ final: 'none', slot: 'A', version: '1.0.0', journalled: false });
  }
}

describe('update power-cut matrix with page-cache loss', () => {
  it('without a cut, the update lands as in the plain matrix', async () => {
    const result = await scenario(new CutSwitch(), 'revert', 0);
    expect(result).toMatchObject({ final: 'committed', slot: 'B', version: '1.1.0', cutFired: false });
  });

  for (const loss of LOSSES) {
    it(`a cut before every fsync, before every journal and boot-environment write and after every journal write, losing unsynced pages (${loss})`, async () => {
      const counter = new CutSwitch();
      await scenario(counter, loss, 0);
      // Each atomic write is two syncs (the file, then its folder) after its journal/boot seam.
      expect(counter.events).toBeGreaterThan(20);
      const finals = new Map<string, number>();
      for (let k = 0; k < counter.events; k++) {
        const result = await scenario(new CutSwitch(k), loss, k + 1);
        expectSettled(result, `${loss}: cut before event ${k} of ${counter.events}: ${result.trail.join(' > ')}`);
        finals.set(result.final, (finals.get(result.final) ?? 0) + 1);
      }
      // Most cuts come after the install's first durable journal entry: those must all land.
      expect(finals.get('committed') ?? 0).toBeGreaterThan(counter.events / 2);
    }, 240_000);
  }

  it(`${RANDOM_BYTE_CUTS} cuts at random bytes of the slot write, unsynced slot pages lost, garbage or mixed`, async () => {
    for (let i = 0; i < RANDOM_BYTE_CUTS; i++) {
      const loss = LOSSES[i % LOSSES.length]!;
      const result = await scenario(new CutSwitch(undefined, 1 + Math.floor(Math.random() * (IMAGE_LENGTH - 1))), loss, 1000 + i);
      expect(result, `${loss} cut ${i}`).toMatchObject({ final: 'committed', slot: 'B', version: '1.1.0', cutFired: true });
    }
  }, 240_000);
  it('a delta written by zstd straight into the slot (the product path): a cut before every fsync, unsynced pages lost', async () => {
    const counter = new CutSwitch();
    expect(await scenario(counter, 'revert', 0, { delta: true })).toMatchObject({ final: 'committed', slot: 'B', version: '1.1.0', cutFired: false });
    for (let k = 0; k < counter.events; k++) {
      const loss = LOSSES[k % LOSSES.length]!;
      const result = await scenario(new CutSwitch(k), loss, 4000 + k, { delta: true });
      expectSettled(result, `${loss}: delta, cut before event ${k} of ${counter.events}: ${result.trail.join(' > ')}`);
    }
  }, 240_000);

  it('a trial that fails rolls back and gives the data back, with a cut at any step of install, trial and rollback', async () => {
    const counter = new CutSwitch();
    expect(await scenario(counter, 'revert', 0, { failTrial: true })).toMatchObject({
      final: 'rolled-back',
      slot: 'A',
      version: '1.0.0',
      cutFired: false,
    });
    expect(counter.events).toBeGreaterThan(30);
    const finals = new Map<string, number>();
    for (let k = 0; k < counter.events; k++) {
      const loss = LOSSES[k % LOSSES.length]!;
      const result = await scenario(new CutSwitch(k), loss, 3000 + k, { failTrial: true });
      const context = `${loss}: cut before event ${k} of ${counter.events}: ${result.trail.join(' > ')}`;
      expect(result.cutFired, context).toBe(true);
      // Rolled back with the data given back, or (cut before the first durable entry) never begun.
      if (result.final !== 'rolled-back') expect(result, context).toMatchObject({ final: 'none', slot: 'A', version: '1.0.0', journalled: false });
      else expect(result, context).toMatchObject({ slot: 'A', version: '1.0.0' });
      finals.set(result.final, (finals.get(result.final) ?? 0) + 1);
    }
    expect(finals.get('rolled-back') ?? 0).toBeGreaterThan(counter.events / 2);
  }, 240_000);

  it(`${DOWNLOAD_CUTS} cuts during a resumable download, unsynced bytes lost: it resumes from a durable checkpoint and lands whole`, async () => {
    const url = await serveBundle();
    const bytes = readFileSync(bundle);
    const target = { url, length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    for (let i = 0; i < DOWNLOAD_CUTS; i++) {
      const loss = LOSSES[i % LOSSES.length]!;
      const root = mkdtempSync(join(work, 'download-'));
      const path = join(root, 'data', 'downloads', 'update.hcb');
      const cut = new CutSwitch(undefined, 1 + Math.floor(Math.random() * (bytes.length - 1)));
      let cache = await SimulatedPageCache.attach(root, { seed: 5000 + i, beforeSync: () => cut.sync() });
      let restore = useFileSync(cache);
      try {
        await downloadOnce(
          { ...target, path },
          {
            checkpointBytes: 64 * 1024,
            onProgress: (done) => {
              if (!cut.fired && done >= cut.atByte!) cut.fire();
            },
          },
        ).catch(() => undefined);
        expect(cut.fired, `${loss} download cut ${i}`).toBe(true);
        await cache.cut(loss);
        restore();
        cut.powerOn();
        cache = await SimulatedPageCache.attach(root, { seed: 6000 + i });
        restore = useFileSync(cache);
        let resumedFrom = 0;
        await downloadOnce({ ...target, path }, { checkpointBytes: 64 * 1024, onProgress: (done) => (resumedFrom ||= done) });
        expect(createHash('sha256').update(readFileSync(path)).digest('hex'), `${loss} download cut ${i}`).toBe(target.sha256);
        expect(existsSync(`${path}.part`) || existsSync(`${path}.part.json`)).toBe(false);
        // Never from zero once a checkpoint was durable: at most one checkpoint's worth is fetched again.
        if (cut.atByte! >= 2 * 64 * 1024)
          expect(resumedFrom, `${loss} download cut ${i} at ${cut.atByte}`).toBeGreaterThan(cut.atByte! - 2 * 64 * 1024 - 1);
      } finally {
        restore();
        rmSync(root, { recursive: true, force: true });
      }
    }
  }, 120_000);
});

/** Slots of the kept-versions headset: room for its small images, little to copy for each cut. */
const KEPT_SLOT_SIZE = 128 * 1024;

describe('going back to a kept version with page-cache loss', () => {
  const keptDevice = () => ({ ...device(), slotSizeBytes: KEPT_SLOT_SIZE });
  let kept: Awaited<ReturnType<typeof keptVersionsTemplate>>;
  beforeAll(async () => {
    kept = await keptVersionsTemplate(join(work, 'kept'), keptDevice(), join(work, 'keys', 'bundle.key'));
  }, 60_000);

  /** The repository still lists every kept bundle: going back is allowed. */
  const listing = () => ({ ...keptDevice(), catalog: new ListedBundlesCatalog(kept.bundles) });

  /**
   * Asks for KEPT.to (update.rollback), or with `otherSlot` for the other slot's version (without
   * one), with a cut armed; at the cut the page cache loses what was not synced; then powers on (a
   * fresh page cache each time) until it settles; checks data, history, slots, and after each boot
   * that a restart still waited for is shown with its version.
   */
  async function goBack(
    cut: CutSwitch,
    loss: PageLoss,
    seed: number,
    options: { otherSlot?: boolean } = {},
  ): Promise<{ outcome: string; journalled: boolean; context: string }> {
    const how = options.otherSlot ? OTHER_SLOT : KEPT;
    const root = mkdtempSync(join(work, 'kept-device-'));
    cpSync(kept.template, root, { recursive: true });
    const trail: string[] = [];
    const context = () => `${loss} seed ${seed}, ${cut.describe()}: ${trail.join(' > ')}`;
    const attach = async (turn: number) => {
      cut.powerOn();
      return SimulatedPageCache.attach(root, { seed: seed * 100 + turn, beforeSync: () => cut.sync() });
    };
    let cache = await attach(0);
    let restore = useFileSync(cache);
    try {
      const first = powerCutServices(root, cut, listing());
      await first.boot.load();
      try {
        await first.updates.rollback(options.otherSlot ? undefined : KEPT.to);
        trail.push(options.otherSlot ? 'switched' : 'reinstalled');
      } catch (error) {
        if (!(error instanceof PowerCut)) throw error;
        await cache.cut(loss);
        trail.push(`cut, journal ${readInstallJournal(root)?.state.step}`);
      }
      // Whether going back had begun on the medium: its install's first journal entry was durable.
      const journalled = readInstallJournal(root)?.version === how.to;
      for (let boot = 1; boot <= 12; boot++) {
        restore();
        cache = await attach(boot);
        restore = useFileSync(cache);
        const parts = powerCutServices(root, cut, listing());
        try {
          const outcome = await bootPowerCutServices(parts);
          trail.push(`${parts.boot.bootedSystemFacts().slot}:${outcome}`);
          await expectRestartShown(root, parts.updates, how.to, context());
        } catch (error) {
          if (!(error instanceof PowerCut)) throw error;
          await cache.cut(loss);
          trail.push(`boot cut, journal ${readInstallJournal(root)?.state.step}`);
          continue;
        }
        await expectBootedSlotMatchesRecord(root, keptDevice(), context());
        if (settled(root)) break;
      }
      const outcome = await expectWentBackOrStayed(root, keptDevice(), how, context());
      const running = outcome === 'went back' ? how.to : how.from.version;
      const notNewer = kept.bundles.filter((b) => compareVersions(b.version, running) <= 0).map((b) => b.bundle);
      await expectUpdateBookkeeping(root, keptDevice(), notNewer, context());
      return { outcome, journalled, context: context() };
    } finally {
      restore();
      rmSync(root, { recursive: true, force: true });
    }
  }

  it('a cut before every fsync, journal and boot-environment write and after every journal write: once begun on the medium, it went back whole', async () => {
    const counter = new CutSwitch();
    expect((await goBack(counter, 'revert', 0)).outcome).toBe('went back');
    expect(counter.events).toBeGreaterThan(30);
    let wentBack = 0;
    for (let k = 0; k < counter.events; k++) {
      const loss = LOSSES[k % LOSSES.length]!;
      const { outcome, journalled, context } = await goBack(new CutSwitch(k), loss, 7000 + k);
      // Begun (its first journal entry durable): went back; else the newer version runs on, untouched.
      expect(outcome, context).toBe(journalled ? 'went back' : 'stayed');
      if (outcome === 'went back') wentBack++;
    }
    expect(wentBack).toBeGreaterThan(counter.events / 2);
  }, 120_000);

  it('to the other slot: a cut before every fsync, journal and boot-environment write and after every journal write: once begun on the medium, it went back whole', async () => {
    const counter = new CutSwitch();
    expect((await goBack(counter, 'revert', 0, { otherSlot: true })).outcome).toBe('went back');
    expect(counter.events).toBeGreaterThan(20);
    let wentBack = 0;
    for (let k = 0; k < counter.events; k++) {
      const loss = LOSSES[k % LOSSES.length]!;
      const { outcome, journalled, context } = await goBack(new CutSwitch(k), loss, 8000 + k, { otherSlot: true });
      // Begun (its first journal entry durable): went back; else the newer version runs on, untouched.
      expect(outcome, context).toBe(journalled ? 'went back' : 'stayed');
      if (outcome === 'went back') wentBack++;
    }
    expect(wentBack).toBeGreaterThan(counter.events / 2);
  }, 60_000);
});
