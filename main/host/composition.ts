import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Mode, Scope, SystemInfo } from '../../src/api/contract.js';
import { ApiRouter } from '../../src/api/router.js';
import { BootService } from '../services/boot/BootService.js';
import { GrubEnvironmentFile } from '../services/boot/GrubEnvironmentFile.js';
import { KernelCommandLine } from '../services/boot/KernelCommandLine.js';
import { SlotRecordFile } from '../services/boot/SlotRecordFile.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { DEFAULT_BOOT_PARTITION_SIZE, SimulatedFirmware } from '../services/device/SimulatedFirmware.js';
import { SimulatedBootPartition } from '../services/device/SimulatedBootPartition.js';
import { StatfsBootPartition } from '../services/boot/BootPartitionSpace.js';
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
import type { PowerControl } from '../services/platform/PowerControl.js';
import { SystemdPowerControl } from '../services/platform/SystemdPowerControl.js';
import type { BuildInfo } from '../services/system/buildInfo.js';
import { BundleCache } from '../services/update/BundleCache.js';
import { DataSnapshots } from '../services/update/DataSnapshots.js';
import { InstallJournal } from '../services/update/InstallJournal.js';
import { Installer, type BootOutcome } from '../services/update/Installer.js';
import { LinuxSlotPartitions } from '../services/update/LinuxSlotPartitions.js';
import { loadTrustFolder } from '../services/update/trustedKeys.js';
import { NetworkStateFile } from '../services/platform/NetworkStateFile.js';
import { openUpdateCatalog } from '../services/update/repositoryConfig.js';
import { UpdateService } from '../services/update/UpdateService.js';
import { ComponentRegistry } from '../services/update/ComponentRegistry.js';
import { SimulatedServiceControl } from '../services/platform/SimulatedServiceControl.js';
import { SystemdServiceControl } from '../services/platform/SystemdServiceControl.js';
import { UBootEnvironmentFile, parseFwEnvConfig } from '../services/boot/UBootEnvironmentFile.js';
import type { BootEnvironmentStore } from '../services/boot/ports.js';
import { SimulatedSlotPartitions } from '../services/device/SimulatedSlotPartitions.js';
import { createApiHandlers, type Services } from './apiHandlers.js';
import { RotatingLogFile } from '../services/logging/RotatingLogFile.js';
import { Logger } from '../services/logging/Logger.js';
import { bootSystem } from './bootSequence.js';
import { TrialConfirmation, type ReachabilityCheck } from './TrialConfirmation.js';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { closeAll } from './closeAll.js';
import { Outbox } from '../services/telemetry/Outbox.js';
import { periodRequestSigner } from '../services/telemetry/RequestSigner.js';
import { openTelemetryDelivery } from '../services/telemetry/TelemetryDelivery.js';
import { LogForwardingSink } from '../services/telemetry/LogForwardingSink.js';
import { RedactingLogSink } from '../services/telemetry/RedactingLogSink.js';
import { createTelemetry, telemetryOutboxDir } from './telemetry.js';
import { RecentLines } from '../services/logging/RecentLines.js';
import { GpsService } from '../services/gps/GpsService.js';
import { SimulatedGpsReceiver } from '../services/gps/SimulatedGpsReceiver.js';
import { GpsdReceiver } from '../services/gps/GpsdReceiver.js';
import { SimulatedBattery } from '../services/health/SimulatedBattery.js';
import { SystemBattery } from '../services/health/SystemBattery.js';
import { createObservability } from './observability.js';
import { MountedRemovableMedium, SimulatedUsbStick, type ExportMedium } from '../services/logging/ExportMedium.js';
import { LogAnalysisService } from '../services/logging/LogAnalysisService.js';
import { LogArchive } from '../services/logging/LogArchive.js';
import { LogExporter } from '../services/logging/LogExporter.js';

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
  /** The OTLP/HTTP endpoint telemetry is forwarded to, and a CA file for it (remembered once given; "off" forgets). */
  telemetryUrl?: string;
  telemetryCa?: string;
  /** The bootloader: simulated, chosen when the device is made (default grub); linux, detected unless given. */
  boot?: 'grub' | 'uboot';
  log?: (line: string) => void;
  /** headsetd: a trial boot commits once `confirmBoot` reached the API over its transports (else: in process, at once). */
  confirmBootOverTransport?: boolean;
}

export interface Headset {
  router: ApiRouter;
  /** The process's structured log (JSON lines); headsetd flushes it on a crash. */
  logger: Logger;
  logFile: RotatingLogFile;
  services: Services;
  socketPath: string;
  description: string;
  /** Checks a trial boot's API is reachable (now and after every power cycle), then commits it; a failed check reboots. */
  confirmBoot(check: ReachabilityCheck): Promise<BootOutcome>;
  close(): Promise<void>;
}

/** The composition root: the one place that picks adapters for a device profile. */
export async function createHeadset(options: HeadsetOptions): Promise<Headset> {
  return options.device === 'simulated' ? createSimulatedHeadset(options) : createLinuxHeadset(options);
}

async function createSimulatedHeadset(given: HeadsetOptions): Promise<Headset> {
  const layout = new SimulatedDeviceLayout(resolve(given.root ?? '.headset'));
  const { logger, logFile, recent, forwarding, options } = await openLog(given, join(layout.dataDir, 'logs', 'headsetd.log'));
  const firmware = new SimulatedFirmware(layout);
  const created = await firmware.manufacture({ factoryVersion: options.build.version, bootloader: options.boot });
  const description = await firmware.description();
  await firmware.powerOn();

  const boot = new BootService(
    await firmware.bootEnvironment(),
    new KernelCommandLine(layout.cmdline, layout.bootId),
    new SlotRecordFile(firmware.slotRecordsPath()),
    join(layout.stateDir, 'boot-count.json'),
  );
  const mode = new ModeService(layout.stateDir, new GpioValueFile(layout.recoveryButton));
  const identity = new IdentityService(layout.identityDir, new DmiProductUuid(layout.productUuid));
  const gps = new GpsService(new SimulatedGpsReceiver({ sky: layout.gpsSky, backup: layout.gpsBackup }), { stateFile: join(layout.stateDir, 'gps.json'), log: logger.for('gps') });
  const health = new HealthService(new SimulatedThermalZone(layout.thermalZone), layout.dataDir, options.healthIntervalMs, { battery: new SimulatedBattery(layout.batteryDir, layout.chargerOnline), gps });
  const bootPartitionBytes = description.bootPartitionBytes ?? DEFAULT_BOOT_PARTITION_SIZE;
  const partitions = new SimulatedSlotPartitions(layout, description.slotSizeBytes, bootPartitionBytes);
  // headsetd's own state and the logs are not user data: a rollback must not rewind them.
  const snapshots = new DataSnapshots(layout.dataDir, join(layout.stateDir, 'snapshots'), [basename(layout.stateDir), 'logs', 'crashes']);
  const components = new ComponentRegistry({ files: [layout.componentsFile], systemVersion: () => runningVersion(boot), log: options.log });
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
    components: () => components.versions(),
    services: new SimulatedServiceControl(layout.serviceUnits, layout.serviceStates),
    bootSpace: new SimulatedBootPartition(layout, bootPartitionBytes, description.bootloader ?? 'grub'),
  });
  let requested = options.mode;
  // An unhealthy trial must not linger: restart so the bootloader spends its tries and falls back.
  const rebootAfterFailedTrial = () => void setTimeout(() => power.reboot().catch((error: unknown) => options.log?.(`restart failed: ${String(error)}`)), 2000).unref();
  const trial = new TrialConfirmation({ installer, boot, rebootAfterFailedTrial, log: options.log });
  const bootSequence = async () => {
    const judged = await bootSystem({ boot, installer, mode }, requested, { confirmTrialLater: true });
    requested = undefined; // --mode applies to the first boot only
    if (judged === 'trial-failed') rebootAfterFailedTrial();
    // A power cycle reboots inside this process, its API still listening: the trial is confirmed at once.
    const outcome = await trial.afterBoot(judged);
    const booted = boot.bootedSystemFacts();
    options.log?.(`boot ${boot.status.current()?.bootCount}: slot ${booted.slot}${booted.recovery ? ' (recovery)' : ''}, mode ${mode.mode()}${outcome === 'none' ? '' : `, update ${outcome}`}`);
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
    power.reboot().catch((error: unknown) => options.log?.(`power cycle failed: ${String(error)}`));
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
  const observability = createObservability({ logger, recent, build: options.build, boot, health, gps, crashesDir: join(layout.dataDir, 'crashes'), historyFile: join(layout.stateDir, 'health-history.jsonl') });
  const logs = openLogAnalysis(join(layout.dataDir, 'logs'), new SimulatedUsbStick(layout.usbStick));
  const outbox = await Outbox.open({ dir: telemetryOutboxDir(layout.stateDir), limitBytes: 16 * 1024 * 1024 });
  const { telemetry, hasher } = createTelemetry({ stateDir: layout.stateDir, appVersion: options.build.version, outbox, identity, boot, health, updates, crashes: observability.crashes, gps, forwarding, log: logger.for('system'), minidumpDir: layout.crashDumpsDir });
  const telemetryDelivery = await openTelemetryDelivery({ outbox, stateDir: layout.stateDir, url: options.telemetryUrl, caFile: options.telemetryCa, signer: periodRequestSigner(() => hasher.signingSeed()), network: new NetworkStateFile(layout.networkState), resource: () => telemetryResource(options.build), log: options.log });
  return assemble({ info, identity, boot, health, mode, power, updates, components, observability, logs, telemetry, telemetryDelivery }, { logger, logFile, forwarding }, bootSequence, trial, options, layout.socket, petting, `simulated ${created ? 'new ' : ''}device at ${layout.root}`);
}

/** Where native/udev/headset-recovery-button writes the button's level. */
export const LINUX_RECOVERY_BUTTON = '/dev/headset/recovery-button/value';

async function createLinuxHeadset(given: HeadsetOptions): Promise<Headset> {
  const { logger, logFile, recent, forwarding, options } = await openLog(given, '/var/log/headset/headsetd.log');
  const cmdline = await readFile('/proc/cmdline', 'utf8');
  if (!/(^|\s)headset\.slot=[AB](\s|$)/.test(cmdline)) {
    throw new Error('This system was not started by the Headset Control boot script (no headset.slot=A|B on the kernel command line). Install native/grub/grub.cfg or native/uboot/boot.cmd, or use --device simulated.');
  }
  const stateDir = '/var/lib/headset';
  const { store: bootEnvironment, bootloader } = await linuxBootEnvironment(options.boot);
  const boot = new BootService(bootEnvironment, new KernelCommandLine(), new SlotRecordFile(join(stateDir, 'slots.json')), join(stateDir, 'boot-count.json'));
  // The recovery button at power-on, as native/udev's rule wrote it: the logical level ("1" held;
  // the rule inverts the active-low line), so a missing file (no rule, no line) reads as not held.
  const mode = new ModeService(stateDir, new GpioValueFile(LINUX_RECOVERY_BUTTON));
  const identity = new IdentityService('/persist/identity', new DmiProductUuid());
  const gps = new GpsService(new GpsdReceiver(), { stateFile: join(stateDir, 'gps.json'), log: logger.for('gps') });
  const health = new HealthService(new SystemTemperatureSensor(), stateDir, options.healthIntervalMs, { battery: new SystemBattery(), gps });
  const power: PowerControl = new SystemdPowerControl();
  const model = (await readFile('/sys/firmware/devicetree/base/model', 'utf8').catch(() => readFile('/sys/class/dmi/id/product_name', 'utf8').catch(() => 'unknown'))).replace(/\0/g, '').trim();
  const info: SystemInfo = { product: 'Headset Control', appVersion: options.build.version, commit: options.build.commit, deviceProfile: 'linux', model };
  const partitions = await LinuxSlotPartitions.discover();
  // The image lists what it was built with; the bootloader's own version, where it tells the kernel, wins.
  const components = new ComponentRegistry({
    files: ['/etc/headset/components.json'],
    live: [{ name: 'bootloader', path: '/sys/firmware/devicetree/base/chosen/u-boot,version' }],
    systemVersion: () => runningVersion(boot),
    log: options.log,
  });
  const installer = new Installer({
    boot,
    partitions,
    journal: new InstallJournal(join(stateDir, 'install.json')),
    trusted: await loadTrustFolder('/etc/headset/trust'),
    model,
    tempDir: stateDir,
    onFinished: (record) => updates.recordFinished(record),
    components: () => components.versions(),
    services: new SystemdServiceControl(),
    bootSpace: new StatfsBootPartition('/boot', bootloader),
    log: options.log,
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
    log: options.log,
  });
  const rebootAfterFailedTrial = () => void setTimeout(() => power.reboot().catch((error: unknown) => options.log?.(`restart failed: ${String(error)}`)), 2000).unref();
  const trial = new TrialConfirmation({ installer, boot, rebootAfterFailedTrial, log: options.log });
  const bootSequence = async () => {
    const outcome = await bootSystem({ boot, installer, mode }, options.mode, { confirmTrialLater: true });
    if (outcome === 'trial-failed') rebootAfterFailedTrial();
    await trial.afterBoot(outcome);
  };
  const hardwareWatchdog = await LinuxWatchdog.open();
  const petting = hardwareWatchdog ? new WatchdogService(hardwareWatchdog, async () => boot.status.current() !== undefined, 5000) : undefined;
  const observability = createObservability({ logger, recent, build: options.build, boot, health, gps, crashesDir: join(stateDir, 'crashes'), historyFile: join(stateDir, 'health-history.jsonl') });
  const logs = openLogAnalysis('/var/log/headset', new MountedRemovableMedium());
  const outbox = await Outbox.open({ dir: telemetryOutboxDir(stateDir), limitBytes: 16 * 1024 * 1024 });
  const { telemetry, hasher } = createTelemetry({ stateDir, appVersion: options.build.version, outbox, identity, boot, health, updates, crashes: observability.crashes, gps, forwarding, log: logger.for('system'), minidumpDir: '/var/lib/headset-ui/crashdumps' });
  const telemetryDelivery = await openTelemetryDelivery({ outbox, stateDir, url: options.telemetryUrl, caFile: options.telemetryCa, signer: periodRequestSigner(() => hasher.signingSeed()), network: new NetworkStateFile('/run/headset/network-state'), resource: () => telemetryResource(options.build), log: options.log });
  return assemble({ info, identity, boot, health, mode, power, updates, components, observability, logs, telemetry, telemetryDelivery }, { logger, logFile, forwarding }, bootSequence, trial, options, '/run/headsetd/headsetd.sock', petting, 'linux device');
}

/** Log analysis and export over the log folder; the medium is the profile's removable storage. */
function openLogAnalysis(logDir: string, medium: ExportMedium): Services['logs'] {
  const archive = new LogArchive(logDir);
  return { analysis: new LogAnalysisService(archive), exporter: new LogExporter(archive, medium) };
}

/** The version the booted slot holds, as the installer recorded it. */
async function runningVersion(boot: BootService): Promise<string | undefined> {
  return (await boot.slotRecordsStore().read())[boot.bootedSystemFacts().slot]?.version;
}

/**
 * The linux profile's bootloader environment: `--boot` when given, else the one this machine has,
 * GRUB's /boot/grub/grubenv or U-Boot's environment as /etc/fw_env.config describes it.
 */
async function linuxBootEnvironment(given: 'grub' | 'uboot' | undefined): Promise<{ store: BootEnvironmentStore; bootloader: 'grub' | 'uboot' }> {
  const exists = (path: string) => readFile(path).then(() => true, () => false);
  const kind = given ?? ((await exists('/boot/grub/grubenv')) ? 'grub' : (await exists('/etc/fw_env.config')) ? 'uboot' : undefined);
  if (kind === 'grub') return { store: new GrubEnvironmentFile('/boot/grub/grubenv'), bootloader: kind };
  if (kind === 'uboot') return { store: new UBootEnvironmentFile(parseFwEnvConfig(await readFile('/etc/fw_env.config', 'utf8'))), bootloader: kind };
  throw new Error('No bootloader environment found: neither /boot/grub/grubenv (GRUB) nor /etc/fw_env.config (U-Boot). Give --boot grub|uboot.');
}

/** The resource of forwarded records: no device id (records carry the rotating pseudonym instead). */
function telemetryResource(build: BuildInfo) {
  return { serviceName: 'headsetd', serviceVersion: build.version, deviceId: null };
}

async function assemble(services: Services, log: { logger: Logger; logFile: RotatingLogFile; forwarding: LogForwardingSink }, boot: () => Promise<void>, trial: TrialConfirmation, options: HeadsetOptions, socketPath: string, watchdog: WatchdogService | undefined, description: string): Promise<Headset> {
  // Each boot (a simulated power cycle too) gives the log its boot id.
  const bootSequence = async () => {
    await boot();
    log.logger.setBootId(services.boot.status.current()?.bootId ?? '');
  };
  services.boot.status.subscribe((status) => log.logger.setBootId(status.bootId));
  await services.identity.load();
  await bootSequence();
  await services.observability.start();
  await services.health.start();
  await services.updates.start();
  await services.telemetry.start();
  // Signs with this week's telemetry key, derived with the pseudonym (the hasher was loaded by telemetry.start()).
  services.telemetryDelivery.start();
  watchdog?.start();
  const router = new ApiRouter(createApiHandlers(services), {
    'health.changed': services.health.snapshot,
    'boot.changed': services.boot.status,
    'mode.changed': services.mode.state,
    'update.changed': services.updates.status,
    'privacy.changed': services.telemetry.status,
  }, {
    mode: () => services.mode.mode(),
    onInternalError: (where, error) => log.logger.for('api').error(`internal error in ${where}`, { error: String(error instanceof Error ? error.stack : error) }),
  });
  // Without headsetd's transports (an embedding, a test) the API is reached in process.
  if (!options.confirmBootOverTransport) await trial.confirmWith(() => pingInProcess(router));
  log.logger.for('system').info(`headsetd started: ${description}`);
  return {
    router,
    confirmBoot: (check) => trial.confirmWith(check),
    logger: log.logger,
    logFile: log.logFile,
    services,
    socketPath,
    description,
    close: async () => {
      const system = log.logger.for('system');
      // Each step runs even when one before it failed; the log closes last, after everything was said.
      await closeAll(
        [
          ['health', () => services.health.stop()],
          ['updates', () => services.updates.stop()],
          // From here on entries stay local: a warning logged while stopping must not open new outbox files.
          ['log forwarding', () => log.forwarding.detach()],
          ['telemetry', () => services.telemetry.stop()],
          ['telemetry delivery', () => services.telemetryDelivery.stop()],
          ['observability', () => services.observability.stop()],
          // A deliberate stop disarms the watchdog; a crash does not.
          ['watchdog', () => watchdog?.release()],
        ],
        (what, error) => system.error(`stopping ${what} failed`, { error: String(error instanceof Error ? error.stack : error) }),
      );
      system.info('headsetd stopped');
      await log.logFile.closeAsync();
    },
  };
}

/** The process log: every line headsetd reports also becomes a structured entry (subsystem system). */
/**
 * headsetd's share of the log folder (Electron and the others write their own streams beside it):
 * files rotate at 4 MiB or daily, the folder holds at most 32 MiB and 14 days, and gives way when
 * the file system has less than 64 MiB free.
 */
const LOG_LIMITS = { maxFileBytes: 4 * 1024 * 1024, retention: { maxTotalBytes: 32 * 1024 * 1024, maxAgeMs: 14 * 86_400_000, maxRotatedFiles: 50, minFreeBytes: 64 * 1024 * 1024 } };

async function openLog(given: HeadsetOptions, path: string): Promise<{ logger: Logger; logFile: RotatingLogFile; recent: RecentLines; forwarding: LogForwardingSink; options: HeadsetOptions }> {
  const logFile = await RotatingLogFile.open({ dir: dirname(path), stream: basename(path, '.log'), ...LOG_LIMITS });
  // The last lines stay in memory too: a crash record carries them.
  const recent = new RecentLines();
  // Warn, error and fatal entries also go to telemetry (consent-gated, scrubbed) once it is attached;
  // secrets, e-mails and precise positions never reach the files (RedactingLogSink).
  const forwarding = new LogForwardingSink();
  const logger = new Logger({ version: given.build.version, commit: given.build.commit, bootId: '' }, [new RedactingLogSink([logFile, recent, forwarding])]);
  const system = logger.for('system');
  return {
    logger,
    logFile,
    recent,
    forwarding,
    options: {
      ...given,
      log: (line) => {
        given.log?.(line);
        system.info(line);
      },
    },
  };
}

/** The API answers a ping through the router, over an in-process port pair. */
async function pingInProcess(router: ApiRouter): Promise<void> {
  const [client, server] = createMemoryPortPair();
  router.connect(server, { label: 'boot check', scopes: LOCAL_UI_SCOPES });
  const api = new ApiClient(client);
  try {
    await api.call('system.ping', { payload: 'boot' });
  } finally {
    api.close();
  }
}
