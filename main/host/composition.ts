import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Mode, Scope, SystemInfo } from '../../src/api/contract.js';
import { ApiRouter } from '../../src/api/router.js';
import { BootService } from '../services/boot/BootService.js';
import { GrubEnvironmentFile } from '../services/boot/GrubEnvironmentFile.js';
import { KernelCommandLine } from '../services/boot/KernelCommandLine.js';
import { SlotRecordFile } from '../services/boot/SlotRecordFile.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { SimulatedFirmware } from '../services/device/SimulatedFirmware.js';
import { SimulatedPowerCycle } from '../services/device/SimulatedPowerCycle.js';
import { LinuxWatchdog } from '../services/watchdog/LinuxWatchdog.js';
import { SimulatedWatchdog } from '../services/watchdog/SimulatedWatchdog.js';
import { WatchdogService } from '../services/watchdog/WatchdogService.js';
import { HealthService } from '../services/health/HealthService.js';
import { SimulatedThermalZone } from '../services/health/SimulatedThermalZone.js';
import { SystemTemperatureSensor } from '../services/health/SystemTemperatureSensor.js';
import { DmiProductUuid } from '../services/identity/DmiProductUuid.js';
import { IdentityService } from '../services/identity/IdentityService.js';
import { GpioValueFile } from '../services/mode/GpioValueFile.js';
import { ModeService } from '../services/mode/ModeService.js';
import type { PowerControl } from '../services/mode/ports.js';
import { SystemdPowerControl } from '../services/mode/SystemdPowerControl.js';
import type { BuildInfo } from '../services/system/buildInfo.js';
import { BundleCache } from '../services/update/BundleCache.js';
import { DataSnapshots } from '../services/update/DataSnapshots.js';
import { InstallJournal } from '../services/update/InstallJournal.js';
import { Installer } from '../services/update/Installer.js';
import { LinuxSlotPartitions } from '../services/update/LinuxSlotPartitions.js';
import { loadTrustFolder } from '../services/update/trustedKeys.js';
import { NetworkStateFile } from '../services/update/NetworkStateFile.js';
import { openUpdateCatalog } from '../services/update/repositoryConfig.js';
import { UpdateService } from '../services/update/UpdateService.js';
import { SimulatedSlotPartitions } from '../services/device/SimulatedSlotPartitions.js';
import { createApiHandlers, type Services } from './apiHandlers.js';
import { LogFile } from '../services/logging/LogFile.js';
import { Logger } from '../services/logging/Logger.js';
import { bootSystem } from './bootSequence.js';

/** The scopes a local UI gets: everything but `unlocked`, which needs the PIN. */
export const LOCAL_UI_SCOPES: ReadonlySet<Scope> = new Set(['status', 'user', 'recovery']);

export interface HeadsetOptions {
  device: 'simulated' | 'linux';
  /** The simulated device's folder. */
  root?: string;
  /** Forces a mode for this boot (otherwise: recovery button, first run, settings). */
  mode?: Mode;
  build: BuildInfo;
  healthIntervalMs?: number;
  /** The simulated watchdog chip's timeout. */
  watchdogTimeoutMs?: number;
  /** The update repository's address (remembered once given). */
  updateUrl?: string;
  log?: (line: string) => void;
}

export interface Headset {
  router: ApiRouter;
  /** The process's structured log (JSON lines); headsetd flushes it on a crash. */
  logger: Logger;
  logFile: LogFile;
  services: Services;
  socketPath: string;
  description: string;
  close(): Promise<void>;
}

/** The composition root: the one place that picks adapters for a device profile. */
export async function createHeadset(options: HeadsetOptions): Promise<Headset> {
  return options.device === 'simulated' ? createSimulatedHeadset(options) : createLinuxHeadset(options);
}

async function createSimulatedHeadset(given: HeadsetOptions): Promise<Headset> {
  const layout = new SimulatedDeviceLayout(resolve(given.root ?? '.headset'));
  const { logger, logFile, options } = openLog(given, join(layout.dataDir, 'logs', 'headsetd.log'));
  const firmware = new SimulatedFirmware(layout);
  const created = await firmware.manufacture({ factoryVersion: options.build.version });
  const description = await firmware.description();
  await firmware.powerOn();

  const boot = new BootService(
    new GrubEnvironmentFile(layout.grubEnv),
    new KernelCommandLine(layout.cmdline, layout.bootId),
    new SlotRecordFile(firmware.slotRecordsPath()),
    join(layout.stateDir, 'boot-count.json'),
  );
  const mode = new ModeService(layout.stateDir, new GpioValueFile(layout.recoveryButton));
  const identity = new IdentityService(layout.identityDir, new DmiProductUuid(layout.productUuid));
  const health = new HealthService(new SimulatedThermalZone(layout.thermalZone), layout.dataDir, options.healthIntervalMs);
  const partitions = new SimulatedSlotPartitions(layout, description.slotSizeBytes);
  // headsetd's own state and the logs are not user data: a rollback must not rewind them.
  const snapshots = new DataSnapshots(layout.dataDir, join(layout.stateDir, 'snapshots'), [basename(layout.stateDir), 'logs']);
  const installer = new Installer({
    boot,
    partitions,
    journal: new InstallJournal(join(layout.stateDir, 'install.json')),
    trusted: await loadTrustFolder(layout.trustDir),
    model: description.model,
    tempDir: layout.stateDir,
    snapshots,
    log: options.log,
    onFinished: (record) => updates.recordFinished(record),
  });
  let requested = options.mode;
  const bootSequence = async () => {
    const outcome = await bootSystem({ boot, installer, mode }, requested);
    requested = undefined; // --mode applies to the first boot only
    const booted = boot.bootedSystemFacts();
    options.log?.(`boot ${boot.status.current()?.bootCount}: slot ${booted.slot}${booted.recovery ? ' (recovery)' : ''}, mode ${mode.mode()}${outcome === 'none' ? '' : `, update ${outcome}`}`);
    // An unhealthy trial must not linger: restart so the bootloader spends its tries and falls back.
    if (outcome === 'trial-failed') setTimeout(() => void power.reboot(), 2000).unref();
  };
  const watchdog = new SimulatedWatchdog(options.watchdogTimeoutMs ?? 30_000, layout.watchdogState);
  const petting = new WatchdogService(watchdog, async () => boot.status.current() !== undefined, Math.min(5000, (options.watchdogTimeoutMs ?? 30_000) / 3));
  const power = new SimulatedPowerCycle(async () => {
    petting.stop();
    await firmware.powerOn();
    watchdog.arm();
    await bootSequence();
    petting.start();
  }, (line) => options.log?.(line));
  watchdog.onExpire(() => {
    options.log?.('watchdog expired: power cycle');
    void power.reboot();
  });
  // This process start was a power-on too: the chip runs from here, the petting once booted.
  watchdog.arm();
  const updates: UpdateService = new UpdateService({
    catalog: await openUpdateCatalog({ url: options.updateUrl, stateDir: layout.stateDir, trustDir: layout.trustDir }),
    installer,
    boot,
    snapshots,
    kept: new BundleCache(join(layout.stateDir, 'kept-bundles')),
    partitions,
    network: new NetworkStateFile(layout.networkState),
    power,
    model: description.model,
    stateDir: layout.stateDir,
    log: options.log,
  });
  const info: SystemInfo = { product: 'Headset Control', appVersion: options.build.version, commit: options.build.commit, deviceProfile: 'simulated', model: description.model };
  return assemble({ info, identity, boot, health, mode, power, updates }, { logger, logFile }, bootSequence, layout.socket, petting, `simulated ${created ? 'new ' : ''}device at ${layout.root}`);
}

async function createLinuxHeadset(given: HeadsetOptions): Promise<Headset> {
  const { logger, logFile, options } = openLog(given, '/var/log/headset/headsetd.log');
  const cmdline = await readFile('/proc/cmdline', 'utf8');
  if (!/(^|\s)headset\.slot=[AB](\s|$)/.test(cmdline)) {
    throw new Error('This system was not started by the Headset Control boot script (no headset.slot=A|B on the kernel command line). Install native/grub/grub.cfg, or use --device simulated.');
  }
  const stateDir = '/var/lib/headset';
  const boot = new BootService(new GrubEnvironmentFile('/boot/grub/grubenv'), new KernelCommandLine(), new SlotRecordFile(join(stateDir, 'slots.json')), join(stateDir, 'boot-count.json'));
  // The recovery button's line is exported by the board's udev rule (native/udev).
  const mode = new ModeService(stateDir, new GpioValueFile('/dev/headset/recovery-button/value', true));
  const identity = new IdentityService('/persist/identity', new DmiProductUuid());
  const health = new HealthService(new SystemTemperatureSensor(), stateDir, options.healthIntervalMs);
  const power: PowerControl = new SystemdPowerControl();
  const model = (await readFile('/sys/firmware/devicetree/base/model', 'utf8').catch(() => readFile('/sys/class/dmi/id/product_name', 'utf8').catch(() => 'unknown'))).replace(/\0/g, '').trim();
  const info: SystemInfo = { product: 'Headset Control', appVersion: options.build.version, commit: options.build.commit, deviceProfile: 'linux', model };
  const partitions = await LinuxSlotPartitions.discover();
  const installer = new Installer({
    boot,
    partitions,
    journal: new InstallJournal(join(stateDir, 'install.json')),
    trusted: await loadTrustFolder('/etc/headset/trust'),
    model,
    tempDir: stateDir,
    onFinished: (record) => updates.recordFinished(record),
  });
  const updates: UpdateService = new UpdateService({
    catalog: await openUpdateCatalog({ url: options.updateUrl, stateDir, trustDir: '/etc/headset/trust' }),
    installer,
    boot,
    partitions,
    kept: new BundleCache(join(stateDir, 'kept-bundles')),
    // Written by the network service (NetworkManager's connectivity and metered flags).
    network: new NetworkStateFile('/run/headset/network-state'),
    power,
    model,
    stateDir,
  });
  const bootSequence = async () => {
    const outcome = await bootSystem({ boot, installer, mode }, options.mode);
    if (outcome === 'trial-failed') setTimeout(() => void power.reboot(), 2000).unref();
  };
  const hardwareWatchdog = await LinuxWatchdog.open();
  const petting = hardwareWatchdog ? new WatchdogService(hardwareWatchdog, async () => boot.status.current() !== undefined, 5000) : undefined;
  return assemble({ info, identity, boot, health, mode, power, updates }, { logger, logFile }, bootSequence, '/run/headsetd/headsetd.sock', petting, 'linux device');
}

async function assemble(services: Services, log: { logger: Logger; logFile: LogFile }, boot: () => Promise<void>, socketPath: string, watchdog: WatchdogService | undefined, description: string): Promise<Headset> {
  // Each boot (a simulated power cycle too) gives the log its boot id.
  const bootSequence = async () => {
    await boot();
    log.logger.setBootId(services.boot.status.current()?.bootId ?? '');
  };
  services.boot.status.subscribe((status) => log.logger.setBootId(status.bootId));
  await services.identity.load();
  await bootSequence();
  await services.health.start();
  await services.updates.start();
  watchdog?.start();
  const router = new ApiRouter(createApiHandlers(services), {
    'health.changed': services.health.snapshot,
    'boot.changed': services.boot.status,
    'mode.changed': services.mode.state,
    'update.changed': services.updates.status,
  }, {
    mode: () => services.mode.mode(),
    onInternalError: (where, error) => log.logger.for('api').error(`internal error in ${where}`, { error: String(error instanceof Error ? error.stack : error) }),
  });
  log.logger.for('system').info(`headsetd started: ${description}`);
  return {
    router,
    logger: log.logger,
    logFile: log.logFile,
    services,
    socketPath,
    description,
    close: async () => {
      services.health.stop();
      services.updates.stop();
      // A deliberate stop disarms the watchdog; a crash does not.
      await watchdog?.release();
      log.logger.for('system').info('headsetd stopped');
      log.logFile.close();
    },
  };
}

/** The process log: every line headsetd reports also becomes a structured entry (subsystem system). */
function openLog(given: HeadsetOptions, path: string): { logger: Logger; logFile: LogFile; options: HeadsetOptions } {
  const logFile = new LogFile(path);
  const logger = new Logger({ version: given.build.version, commit: given.build.commit, bootId: '' }, [logFile]);
  const system = logger.for('system');
  return {
    logger,
    logFile,
    options: {
      ...given,
      log: (line) => {
        given.log?.(line);
        system.info(line);
      },
    },
  };
}
