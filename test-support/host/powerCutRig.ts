import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { parseOrder, type BootSlot } from '../../src/boot/bootSelection.js';
import { decodeGrubEnv } from '../../src/boot/grubEnvCodec.js';
import { compareVersions } from '../../src/update/version.js';
import type { TrustedKey } from '../../src/update/verify.js';
import { createBundle } from '../../main/operator/bundles/BundleWriter.js';
import { loadSigningKey } from '../../main/operator/keys/signingKeys.js';
import { BootService } from '../../main/services/boot/BootService.js';
import { systemFileSync, type FileSync } from '../../main/services/storage/fileSync.js';
import { GrubEnvironmentFile } from '../../main/services/boot/GrubEnvironmentFile.js';
import { KernelCommandLine } from '../../main/services/boot/KernelCommandLine.js';
import type { BootEnvironmentStore } from '../../main/services/boot/ports.js';
import { SlotRecordFile } from '../../main/services/boot/SlotRecordFile.js';
import { SimulatedDeviceLayout } from '../../main/services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../../main/services/device/SimulatedFirmware.js';
import { SimulatedSlotPartitions } from '../../main/services/device/SimulatedSlotPartitions.js';
import { GpioValueFile } from '../../main/services/mode/GpioValueFile.js';
import { ModeService } from '../../main/services/mode/ModeService.js';
import { BundleCache } from '../../main/services/update/BundleCache.js';
import { DataSnapshots } from '../../main/services/update/DataSnapshots.js';
import { InstallJournal, isFinished, type InstallRecord } from '../../main/services/update/InstallJournal.js';
import { Installer, type BootOutcome } from '../../main/services/update/Installer.js';
import { hashSlotPrefix } from '../../main/services/update/SlotWriter.js';
import { UpdateCatalog, type CatalogEntry } from '../../main/services/update/UpdateCatalog.js';
import { UpdateService } from '../../main/services/update/UpdateService.js';
import { bootSystem } from '../../main/services/update/bootSequence.js';

// What the power-cut matrices share: the cut itself, a boot's services over a simulated headset's
// folder with the cut's seams in them (the update service too, told of every finished install as
// headsetd wires it), the invariant checked after every boot, and the one checked once an update
// settled (its bookkeeping: journal, history, offer); and for going back to a kept version, a
// headset that kept three versions, the wearer's files of each, and the check once it settled.

export class PowerCut extends Error {}

/** Counts persistent events; throws at the chosen one, once. */
export class CutSwitch {
  events = 0;
  /** What each event was (`labels[k]` is event k), to name a cut in a message or find one by what it is. */
  readonly labels: string[] = [];
  fired = false;
  /** Off from the cut until the next power-on. */
  off = false;
  constructor(
    private readonly atEvent?: number,
    readonly atByte?: number,
  ) {}

  event(label = 'fsync'): void {
    this.labels.push(label);
    if (!this.fired && this.atEvent === this.events++) this.fire();
  }

  /** The event a cut at `atEvent` comes before (for a failure's message). */
  describe(): string {
    return this.atEvent === undefined ? 'no cut at an event' : `cut before event ${this.atEvent} (${this.labels[this.atEvent] ?? 'never reached'})`;
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

/**
 * The fsync everyone goes through, cutting the power once the install journal's write of `step`
 * is durable (its file synced, renamed, its folder synced): that write completes, then every
 * later sync fails, as nothing more reaches the medium.
 */
export function cutAfterJournalWrite(step: string): { sync: FileSync; fired: () => boolean } {
  let armed = false;
  let fired = false;
  const sync: FileSync = {
    async syncFile(handle: FileHandle, path: string, options?: { dataOnly?: boolean }) {
      if (fired) throw new PowerCut();
      await systemFileSync.syncFile(handle, path, options);
      if (
        /\/\.install\.json\.[0-9a-f]+\.tmp$/.test(path) &&
        (JSON.parse(readFileSync(path, 'utf8')) as { state: { step: string } }).state.step === step
      )
        armed = true;
    },
    async syncDirectory(dir: string) {
      if (fired) throw new PowerCut();
      await systemFileSync.syncDirectory(dir);
      if (!armed) return;
      fired = true;
      throw new PowerCut();
    },
  };
  return { sync, fired: () => fired };
}

export interface PowerCutServicesOptions {
  trusted: TrustedKey[];
  slotSizeBytes: number;
  /** Snapshot the user data before each install and give it back on rollback, as headsetd does. */
  snapshots?: boolean;
  /** The per-chunk seam of the slot write. */
  afterChunk?: (bytes: number, path: string) => void;
  /** The update repository (none: the offer on disk is all the update service knows). */
  catalog?: UpdateCatalog;
}

/**
 * One boot's services over the headset at `root`; every boot-environment write, and every journal
 * write (before it, and once it is durable), is a seam of `cut`.
 */
export function powerCutServices(root: string, cut: CutSwitch, options: PowerCutServicesOptions) {
  const layout = new SimulatedDeviceLayout(root);
  const firmware = new SimulatedFirmware(layout);
  const grub = new GrubEnvironmentFile(layout.grubEnv);
  const environment: BootEnvironmentStore = {
    read: () => grub.read(),
    write: async (variables) => {
      cut.event('boot environment');
      await grub.write(variables);
    },
  };
  const boot = new BootService(
    environment,
    new KernelCommandLine(layout.cmdline, layout.bootId),
    new SlotRecordFile(firmware.slotRecordsPath()),
    join(layout.stateDir, 'boot-count.json'),
  );
  const partitions = new SimulatedSlotPartitions(layout, options.slotSizeBytes);
  const snapshots = options.snapshots
    ? new DataSnapshots(layout.dataDir, join(layout.stateDir, 'snapshots'), ['headsetd', 'logs', 'crashes'])
    : undefined;
  const kept = new BundleCache(join(layout.stateDir, 'kept-bundles'));
  const installer = new Installer({
    boot,
    partitions,
    journal: new InstallJournal(join(layout.stateDir, 'install.json'), {
      beforeWrite: (record) => cut.event(`before journal ${journalLabel(record)}`),
      afterWrite: (record) => cut.event(`after journal ${journalLabel(record)}`),
    }),
    trusted: options.trusted,
    model: 'HC-1-simulated',
    // As headsetd wires it: a delta's source copied into the state folder, where a cut may leave it.
    tempDir: layout.stateDir,
    ...(snapshots ? { snapshots } : {}),
    ...(options.afterChunk ? { afterChunk: options.afterChunk } : {}),
  });
  const updates: UpdateService = new UpdateService({
    catalog: options.catalog,
    installer,
    boot,
    kept,
    partitions,
    network: { state: async () => 'online' as const },
    // The restart a rollback asks for is the test's next power-on.
    power: { reboot: async () => undefined },
    model: 'HC-1-simulated',
    stateDir: layout.stateDir,
  });
  installer.onFinished((record) => updates.recordFinished(record));
  const mode = new ModeService(layout.stateDir, new GpioValueFile(layout.recoveryButton));
  return { layout, firmware, boot, installer, mode, updates, kept };
}

/** A journal entry as a cut's label names it: its step, and what it marks done. */
function journalLabel(record: InstallRecord): string {
  const marks = [
    record.reported === true ? 'reported' : '',
    record.manualRollback?.dataRestoredAt !== undefined && !isFinished(record.state) ? 'data restored' : '',
  ].filter(Boolean);
  return [record.state.step, ...marks].join(', ');
}

/** A power-on as headsetd's: the firmware picks the slot, the system boots, the update service starts. */
export async function bootPowerCutServices(parts: ReturnType<typeof powerCutServices>): Promise<BootOutcome> {
  await parts.firmware.powerOn();
  const outcome = await bootSystem(parts);
  await parts.updates.start();
  parts.updates.stop();
  return outcome;
}

/** The invariant after every boot: the running slot holds exactly the image recorded for it. */
export async function expectBootedSlotMatchesRecord(
  root: string,
  options: Omit<PowerCutServicesOptions, 'afterChunk'>,
  context = 'after the boot',
): Promise<{ slot: string; version: string }> {
  const { boot } = powerCutServices(root, new CutSwitch(), options);
  await boot.load();
  const slot = boot.bootedSystemFacts().slot;
  const record = (await boot.slotRecordsStore().read())[slot];
  expect(record, `${context}: slot ${slot} booted without a record`).toBeDefined();
  expect(await hashSlotPrefix(new SimulatedDeviceLayout(root).slotImage(slot), record!.image.length), `${context}: slot ${slot}`).toBe(
    record!.image.sha256,
  );
  return { slot, version: record!.version };
}

export function readInstallJournal(root: string): InstallRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(new SimulatedDeviceLayout(root).stateDir, 'install.json'), 'utf8')) as InstallRecord;
  } catch {
    return undefined;
  }
}

/** A repository offering one bundle, served from this process (with Range, as a web server does). */
class OneBundleCatalog extends UpdateCatalog {
  constructor(private readonly entry: CatalogEntry) {
    super(entry.url, '');
  }

  override async newest(): Promise<CatalogEntry> {
    return this.entry;
  }
}

/**
 * Offers `bundle` (of `version`) to the headset at `root` and downloads it, as the wearer does
 * before an install: the offer and the verified bundle are then in its update cache.
 */
export async function downloadUpdate(
  root: string,
  options: Omit<PowerCutServicesOptions, 'afterChunk' | 'catalog'>,
  bundle: string,
  version: string,
  kind: CatalogEntry['kind'] = 'full',
): Promise<void> {
  const bytes = readFileSync(bundle);
  const server = createServer((request, response) => {
    const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
    response.writeHead(start > 0 ? 206 : 200, { 'Content-Length': bytes.length - start }).end(bytes.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/update.hcb`;
    const entry: CatalogEntry = {
      target: `headset-${version}-${kind}.hcb`,
      version,
      kind,
      length: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      installBytes: 0,
      notes: '',
      url,
    };
    const { boot, updates } = powerCutServices(root, new CutSwitch(), { ...options, catalog: new OneBundleCatalog(entry) });
    await boot.load();
    await updates.start();
    try {
      await updates.check();
      await updates.startDownloadCall();
      for (let waited = 0; (await updates.snapshot()).state.status !== 'downloaded'; waited += 20) {
        if (waited > 10_000) throw new Error(`the download did not finish: ${JSON.stringify((await updates.snapshot()).state)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      updates.stop();
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The downloaded bundle in the update cache of the headset at `root` (downloadUpdate), which an install installs. */
export function downloadedBundle(root: string): string {
  const cache = join(new SimulatedDeviceLayout(root).stateDir, 'update-cache');
  const [bundle, ...others] = readdirSync(cache).filter((name) => !name.includes('.part'));
  expect(others, 'one downloaded bundle').toEqual([]);
  return join(cache, bundle!);
}

/**
 * Once an update settled (committed, rolled back, failed, or never begun): the journal's outcome
 * is final and its bookkeeping done; the history holds that outcome exactly once (and nothing
 * twice); the update service offers nothing that is not newer than what runs (and not the version
 * the install was of, once it ended); a committed version's bundle is kept; and installing what
 * runs, or older (`notNewer`), is refused.
 */
export async function expectUpdateBookkeeping(
  root: string,
  options: Omit<PowerCutServicesOptions, 'afterChunk' | 'catalog'>,
  notNewer: readonly string[],
  context: string,
): Promise<void> {
  const { boot, installer, updates, kept } = powerCutServices(root, new CutSwitch(), options);
  await boot.load();
  await updates.start();
  try {
    const journal = readInstallJournal(root);
    const history = await updates.history();
    const keys = history.map((entry) => `${entry.version} ${entry.startedAt} ${entry.outcome}`);
    expect(new Set(keys).size, `${context}: an entry twice in the history: ${keys.join(', ')}`).toBe(keys.length);
    const status = await updates.snapshot();
    const offered = 'offer' in status.state ? status.state.offer.version : undefined;
    if (offered !== undefined)
      expect(compareVersions(offered, status.current.version), `${context}: ${offered} offered while ${status.current.version} runs`).toBeGreaterThan(
        0,
      );
    if (journal === undefined) expect(history, `${context}: history without an install`).toEqual([]);
    else {
      expect(isFinished(journal.state), `${context}: journal left at ${journal.state.step}`).toBe(true);
      expect(journal.reported, `${context}: ${journal.state.step} journalled, its bookkeeping not done`).not.toBe(false);
      const ofInstall = history.filter((entry) => entry.version === journal.version && entry.startedAt === journal.startedAt);
      // A kept version's reinstall that committed is also the wearer's going back, told once;
      // going back to the other slot installed nothing: it is told as the going back alone.
      const otherSlot = journal.manualRollback?.otherSlot === true;
      const told =
        journal.state.step !== 'committed' || !journal.manualRollback
          ? [journal.state.step]
          : otherSlot
            ? ['manual-rollback']
            : ['committed', 'manual-rollback'];
      expect(
        ofInstall.map((entry) => entry.outcome),
        `${context}: history of the install`,
      ).toEqual(told);
      if (journal.state.step !== 'failed') expect(offered, `${context}: still offered after it ${journal.state.step}`).not.toBe(journal.version);
      if (journal.state.step === 'committed' && !otherSlot) expect(await kept.versions(), `${context}: kept bundles`).toContain(journal.version);
    }
    for (const bundle of notNewer)
      await expect(installer.install(bundle), `${context}: installing ${bundle}`).rejects.toMatchObject({ code: 'UPDATE_NOT_NEWER' });
  } finally {
    updates.stop();
  }
}

/** The wearer's files while `version` runs: settings that name it and a map of its own, so each version's data is told apart. */
export function wearerFiles(version: string): Record<string, Buffer> {
  const map = Buffer.alloc(2 * 4096 + 333);
  for (let i = 0; i < map.length; i += 32) createHash('sha256').update(`${version} ${i}`).digest().copy(map, i);
  return { 'settings.json': Buffer.from(`{"ran":"${version}","ipd":63.5}\n`), [`maps/${version}.bin`]: map };
}

/** Replaces the wearer's files with those of `version` (as that version would leave them). */
export function writeWearerFiles(root: string, version: string, versions: readonly string[]): void {
  const data = new SimulatedDeviceLayout(root).dataDir;
  for (const other of versions) for (const name of Object.keys(wearerFiles(other))) rmSync(join(data, name), { force: true });
  for (const [name, content] of Object.entries(wearerFiles(version))) {
    mkdirSync(dirname(join(data, name)), { recursive: true });
    writeFileSync(join(data, name), content);
  }
}

/** The wearer's files are exactly those `version` left: each of its own whole, none of another version's. */
export function expectWearerFiles(root: string, version: string, versions: readonly string[], context: string): void {
  const data = new SimulatedDeviceLayout(root).dataDir;
  const own = wearerFiles(version);
  for (const [name, content] of Object.entries(own)) {
    const path = join(data, name);
    expect(existsSync(path) && readFileSync(path).equals(content), `${context}: data/${name} as ${version} left it`).toBe(true);
  }
  for (const other of versions)
    for (const name of Object.keys(wearerFiles(other)))
      if (!(name in own)) expect(existsSync(join(data, name)), `${context}: data/${name} of ${other} while ${version} runs`).toBe(false);
}

/** A repository that still lists these bundles: it vouches for each kept one (UpdateCatalog.vouchesFor), offers nothing. */
export class ListedBundlesCatalog extends UpdateCatalog {
  private readonly listed: Map<string, string>;

  constructor(bundles: readonly { version: string; bundle: string }[]) {
    super('http://127.0.0.1:9/unused', '');
    this.listed = new Map(bundles.map(({ version, bundle }) => [version, createHash('sha256').update(readFileSync(bundle)).digest('hex')]));
  }

  override async vouchesFor(version: string, sha256: string): Promise<boolean> {
    return this.listed.get(version) === sha256;
  }

  override async newest(): Promise<CatalogEntry | undefined> {
    return undefined;
  }
}

/** The kept-versions headset (keptVersionsTemplate): made at 1.0.0, updated three times, going back to 1.1.0 from its kept bundle. */
export const KEPT = {
  factory: '1.0.0',
  updates: ['1.1.0', '1.2.0', '1.3.0'],
  /** What runs: 1.0.0 in A, 1.1.0 into B, 1.2.0 into A, 1.3.0 into B. */
  from: { slot: 'B', version: '1.3.0' },
  /** The kept version gone back to: older than the other slot's 1.2.0, so it is reinstalled into A. */
  to: '1.1.0',
  into: 'A',
  versions: ['1.0.0', '1.1.0', '1.2.0', '1.3.0'],
} as const;

/**
 * Bundles of KEPT's updates (small images: a matrix reinstalls one per cut) signed with the key at
 * `signingKey`, and a headset in `dir` that installed and committed each (buildKeptVersionsDevice),
 * to copy for each scenario.
 */
export async function keptVersionsTemplate(
  dir: string,
  options: Omit<PowerCutServicesOptions, 'afterChunk' | 'catalog'>,
  signingKey: string,
): Promise<{ template: string; bundles: { version: string; bundle: string }[] }> {
  mkdirSync(dir, { recursive: true });
  const key = await loadSigningKey(signingKey);
  const bundles: { version: string; bundle: string }[] = [];
  for (const version of KEPT.updates) {
    const image = join(dir, `rootfs-${version}.img`);
    writeFileSync(image, Buffer.concat([Buffer.from(`HEADSET-OS ${version}\n`), randomBytes(48 * 1024)]));
    const bundle = join(dir, `headset-${version}.hcb`);
    await createBundle({ version, compatible: 'HC-1-simulated', images: [{ name: 'rootfs', path: image }], key, out: bundle });
    bundles.push({ version, bundle });
  }
  const template = join(dir, 'template');
  await buildKeptVersionsDevice(template, { ...options, snapshots: true }, KEPT.factory, bundles);
  return { template, bundles };
}

/**
 * A headset made at `factoryVersion` that then installed each of `updates` in turn, each tried and
 * committed (its bundle kept, the data of the version before set aside), the wearer's files of each
 * version written while it ran (writeWearerFiles). `options` must take snapshots.
 */
export async function buildKeptVersionsDevice(
  root: string,
  options: Omit<PowerCutServicesOptions, 'afterChunk'>,
  factoryVersion: string,
  updates: readonly { version: string; bundle: string }[],
): Promise<void> {
  const versions = [factoryVersion, ...updates.map((update) => update.version)];
  await new SimulatedFirmware(new SimulatedDeviceLayout(root)).manufacture({ factoryVersion, slotSizeBytes: options.slotSizeBytes });
  await bootPowerCutServices(powerCutServices(root, new CutSwitch(), options));
  let running = factoryVersion;
  for (const update of updates) {
    writeWearerFiles(root, running, versions);
    // Installed from a copy: a committed bundle moves into the kept ones.
    const copy = join(new SimulatedDeviceLayout(root).stateDir, `incoming-${update.version}.hcb`);
    copyFileSync(update.bundle, copy);
    const parts = powerCutServices(root, new CutSwitch(), options);
    await parts.boot.load();
    await parts.installer.install(copy);
    expect(await bootPowerCutServices(powerCutServices(root, new CutSwitch(), options)), `the update to ${update.version}`).toBe('committed');
    running = update.version;
  }
  writeWearerFiles(root, running, versions);
}

/** Going back from KEPT's 1.3.0 to the other slot's 1.2.0 (update.rollback without a version): nothing to write. */
export const OTHER_SLOT = { from: KEPT.from, to: '1.2.0', into: 'A', versions: KEPT.versions } as const;

/**
 * After going back (to a kept version, or the other slot's) was asked for and the headset settled:
 * it went back (`to` runs from `into`, on the wearer's files of that version, the history telling
 * of it once) or (a cut before its first journal entry, or a trial that failed) nothing changed:
 * `from` runs on its own files and the history tells of no going back. The slot it went back from
 * keeps what it held either way.
 */
export async function expectWentBackOrStayed(
  root: string,
  options: Omit<PowerCutServicesOptions, 'afterChunk' | 'catalog'>,
  how: { from: { slot: BootSlot; version: string }; to: string; into: BootSlot; versions: readonly string[] },
  context: string,
): Promise<'went back' | 'stayed'> {
  const running = await expectBootedSlotMatchesRecord(root, options, context);
  const wentBack = running.version === how.to;
  expect(running, `${context}: what runs`).toEqual(wentBack ? { slot: how.into, version: how.to } : how.from);
  expectWearerFiles(root, running.version, how.versions, context);
  const { boot, updates } = powerCutServices(root, new CutSwitch(), options);
  await boot.load();
  const records = await boot.slotRecordsStore().read();
  expect(records[how.from.slot]?.version, `${context}: slot ${how.from.slot}`).toBe(how.from.version);
  const wentBackTold = (await updates.history()).filter((entry) => entry.outcome === 'manual-rollback');
  expect(
    wentBackTold.map((entry) => `${entry.fromVersion} -> ${entry.version}`),
    `${context}: manual-rollback entries`,
  ).toEqual(wentBack ? [`${how.from.version} -> ${how.to}`] : []);
  return wentBack ? 'went back' : 'stayed';
}

/**
 * After a boot: an install (or going back) journalled as waiting for its restart is shown so, with
 * the version it restarts into (`version`), whether or not an offer was saved for it.
 */
export async function expectRestartShown(root: string, updates: UpdateService, version: string, context: string): Promise<void> {
  if (readInstallJournal(root)?.state.step !== 'await-reboot') return;
  expect((await updates.snapshot()).state, `${context}: waiting for its restart`).toEqual({ status: 'ready-to-reboot', version });
}

/**
 * The fsync everyone goes through, cutting the power once a boot-environment write that puts
 * `slot` first in the boot order is durable (the GRUB environment file synced, renamed, its
 * folder synced): every later sync fails, as nothing more reaches the medium.
 */
export function cutAfterBootOrderChange(slot: BootSlot): { sync: FileSync; fired: () => boolean } {
  let armed = false;
  let fired = false;
  const sync: FileSync = {
    async syncFile(handle: FileHandle, path: string, options?: { dataOnly?: boolean }) {
      if (fired) throw new PowerCut();
      await systemFileSync.syncFile(handle, path, options);
      if (/\/\.grubenv\.[0-9a-f]+\.tmp$/.test(path) && parseOrder(decodeGrubEnv(readFileSync(path)))[0] === slot) armed = true;
    },
    async syncDirectory(dir: string) {
      if (fired) throw new PowerCut();
      await systemFileSync.syncDirectory(dir);
      if (!armed) return;
      fired = true;
      throw new PowerCut();
    },
  };
  return { sync, fired: () => fired };
}
