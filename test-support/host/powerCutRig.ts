import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { compareVersions } from '../../src/update/version.js';
import type { TrustedKey } from '../../src/update/verify.js';
import { BootService } from '../../main/services/boot/BootService.js';
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
// settled (its bookkeeping: journal, history, offer).

export class PowerCut extends Error {}

/** Counts persistent events; throws at the chosen one, once. */
export class CutSwitch {
  events = 0;
  fired = false;
  /** Off from the cut until the next power-on. */
  off = false;
  constructor(
    private readonly atEvent?: number,
    readonly atByte?: number,
  ) {}

  event(): void {
    if (!this.fired && this.atEvent === this.events++) this.fire();
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
      cut.event();
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
    journal: new InstallJournal(join(layout.stateDir, 'install.json'), { beforeWrite: () => cut.event(), afterWrite: () => cut.event() }),
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
    snapshots,
    kept,
    partitions,
    network: { state: async () => 'online' as const },
    power: undefined,
    model: 'HC-1-simulated',
    stateDir: layout.stateDir,
  });
  installer.onFinished((record) => updates.recordFinished(record));
  const mode = new ModeService(layout.stateDir, new GpioValueFile(layout.recoveryButton));
  return { layout, firmware, boot, installer, mode, updates, kept };
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
      expect(
        ofInstall.map((entry) => entry.outcome),
        `${context}: history of the install`,
      ).toEqual([journal.state.step]);
      if (journal.state.step !== 'failed') expect(offered, `${context}: still offered after it ${journal.state.step}`).not.toBe(journal.version);
      if (journal.state.step === 'committed') expect(await kept.versions(), `${context}: kept bundles`).toContain(journal.version);
    }
    for (const bundle of notNewer)
      await expect(installer.install(bundle), `${context}: installing ${bundle}`).rejects.toMatchObject({ code: 'UPDATE_NOT_NEWER' });
  } finally {
    updates.stop();
  }
}
