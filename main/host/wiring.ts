import { join } from 'node:path';
import type { Mode, SystemInfo } from '../../src/api/contract.js';
import { ApiRouter } from '../../src/api/router.js';
import { errorDetail } from '../../src/errorText.js';
import { alertsCapability } from '../services/alerts/alertsCapability.js';
import { backupCapability } from '../services/backup/backupCapability.js';
import { bootCapability } from '../services/boot/bootCapability.js';
import { healthCapability } from '../services/health/healthCapability.js';
import { identityCapability } from '../services/identity/identityCapability.js';
import { lockCapability } from '../services/lock/lockCapability.js';
import { logsCapability } from '../services/logging/logsCapability.js';
import { modeCapability } from '../services/mode/modeCapability.js';
import { setupCapability } from '../services/setup/setupCapability.js';
import { recoveryCapability } from '../services/recovery/recoveryCapability.js';
import { pendingResetFromJournal } from '../services/reset/pendingReset.js';
import { networkCapability } from '../services/network/networkCapability.js';
import { FleetConfigError, openFleetConfig } from '../services/registration/fleetConfig.js';
import { FleetClient } from '../services/registration/FleetClient.js';
import { registrationCapability } from '../services/registration/registrationCapability.js';
import { licenseCapability } from '../services/license/licenseCapability.js';
import { revocationSource } from '../services/license/RevocationSources.js';
import type { BuildInfo } from '../services/system/buildInfo.js';
import { LogAnalysisService } from '../services/logging/LogAnalysisService.js';
import { LogArchive } from '../services/logging/LogArchive.js';
import { relayConfigPath, supportCapability } from '../services/support/supportCapability.js';
import { FleetRelayDirectory } from '../services/support/FleetRelayDirectory.js';
import { RelayConfigFile } from '../services/support/RelayConfigFile.js';
import { systemCapability } from '../services/system/systemCapability.js';
import { resetCapability, resetDir, sanitizationRecordsDir } from '../services/reset/resetCapability.js';
import { telemetryCapability } from '../services/telemetry/telemetryCapability.js';
import { tracksCapability } from '../services/tracks/tracksCapability.js';
import { userDataRootsOf } from '../services/userData/userDataClasses.js';
import { updateCapability } from '../services/update/updateCapability.js';
import { watchdogCapability } from '../services/watchdog/watchdogCapability.js';
import { backupClassesFromRegistry } from './backupClasses.js';
import { CapabilityHost } from './CapabilityHost.js';
import type { SecretRegistry } from '../../src/secrets/SecretRegistry.js';
import type { ProcessLog } from './processLog.js';
import type { DeviceProfile } from './profiles/DeviceProfile.js';
import { recoveryCallLog } from './recoveryCallLog.js';
import { profileCapability } from '../services/profile/profileCapability.js';

export interface WiringOptions {
  build: BuildInfo;
  /** Forces the mode of the first boot (otherwise: recovery button, first run, settings). */
  mode?: Mode;
  healthIntervalMs?: number;
  updateUrl?: string;
  telemetryUrl?: string;
  telemetryCa?: string;
  /** The fleet server to register with and the group tags to report (remembered once given; "off" forgets). */
  fleetUrl?: string;
  fleetTags?: string;
  /** Where to fetch the signed licence revocation list when no fleet server is configured. */
  licenseRevocationsUrl?: string;
  /** Registration's waits, shortened by tests. */
  registration?: { backoffMs?: { baseMs: number; maxMs: number }; pendingPollMs?: number; refusedPollMs?: number };
  /** The shared port for the secrets the capabilities hold: registered by their holders, cut out of every output. */
  secrets: SecretRegistry;
}

/**
 * Builds every capability from a device profile, the same way for every kind of device. The list
 * is in dependency order: a capability gets the ports of those above it, never a forward reference.
 * Adding a capability is one entry here (its module lives in its own folder).
 */
export async function wireCapabilities(profile: DeviceProfile, log: ProcessLog, options: WiringOptions) {
  const host = new CapabilityHost();
  const { logger } = log;
  const { paths } = profile;
  const info: SystemInfo = {
    product: 'Headset Control',
    appVersion: options.build.version,
    commit: options.build.commit,
    builtAt: options.build.builtAt,
    deviceProfile: profile.kind,
    model: profile.model,
    serial: profile.serial,
  };

  const identity = host.add('identity', identityCapability({ dir: paths.identityDir, hardwareId: profile.hardwareId, secrets: options.secrets }));
  const boot = host.add('boot', bootCapability({ ...profile.boot, stateDir: paths.stateDir }));
  // Each boot (a simulated power cycle too) gives the log its boot id.
  boot.status.subscribe((status) => logger.setBootId(status.bootId));
  // The audit of network changes is read back from the log archive (the logs capability's files).
  const networkAuditLog = new LogAnalysisService(new LogArchive(paths.logDir));
  const network = host.add(
    'network',
    networkCapability({
      ...profile.network,
      log: logger.for('network'),
      secrets: options.secrets,
      auditLog: (input, signal) => networkAuditLog.query(input, signal),
      auditSettled: async () => void (await logger.settle(logger.mark())),
    }),
  );
  // Everything done in recovery (entering it, its installs, leaving it) is logged under `recovery`.
  const recoveryLog = logger.for('recovery');
  const mode = host.add(
    'mode',
    modeCapability({
      stateDir: paths.stateDir,
      recoveryButton: profile.recoveryButton,
      power: profile.power,
      requestRecovery: () => boot.requestRecovery(),
      // The reset capability's journal, read before it is wired: a reset cut short starts in recovery.
      pendingReset: pendingResetFromJournal(resetDir(userDataRootsOf(paths))),
      recoveryLog,
    }),
  );
  // The wearer's name and formats: set by the setup wizard, changed in Settings, You.
  const wearerProfile = host.add('profile', profileCapability({ roots: userDataRootsOf(paths), log: logger.for('system') }));
  host.add('setup', setupCapability({ stateDir: paths.stateDir, log: logger.for('system'), profile: wearerProfile }));
  const update = host.add(
    'update',
    await updateCapability({
      ...profile.update,
      boot,
      mode,
      power: profile.power,
      network: network.monitor,
      services: profile.services,
      model: profile.model,
      stateDir: paths.stateDir,
      trustDir: paths.trustDir,
      url: options.updateUrl,
      requestedMode: options.mode,
      log: logger.for('update'),
      bootLog: logger.for('boot'),
      recoveryLog,
    }),
  );
  // Network and USB recovery, through the update capability's installer.
  host.add('recovery', recoveryCapability({ system: update.systemInstall, stick: profile.exportMedium, log: recoveryLog }));
  host.add('system', systemCapability({ info, components: update.components, power: profile.power }));
  const health = host.add(
    'health',
    healthCapability({
      sensors: profile.sensors,
      healthDir: paths.healthDir,
      stateDir: paths.stateDir,
      intervalMs: options.healthIntervalMs,
      log: logger.for('health'),
      gpsLog: logger.for('gps'),
    }),
  );
  // Sessions and laps from the GPS's fixes, on the circuits the headset learns (user data on the data partition).
  // The fleet's track registry goes over the signed fleet channel once registration (below) is accepted.
  const fleetLink: { channel?: FleetClient; registered: () => boolean } = { registered: () => false };
  host.add(
    'tracks',
    tracksCapability({
      dataDir: paths.dataPartition,
      gps: health,
      log: logger.for('tracks'),
      registry: { channel: () => fleetLink.channel, registered: () => fleetLink.registered() },
    }),
  );
  const logs = host.add(
    'logs',
    logsCapability({
      logger,
      recent: log.recent,
      build: options.build,
      boot,
      health,
      logDir: paths.logDir,
      crashesDir: paths.crashesDir,
      exportMedium: profile.exportMedium,
      secrets: options.secrets,
      sanitizationRecordsDir: sanitizationRecordsDir(userDataRootsOf(paths)),
    }),
  );
  const telemetry = host.add(
    'telemetry',
    await telemetryCapability({
      stateDir: paths.stateDir,
      build: options.build,
      identity,
      boot,
      health,
      updates: update.updates,
      crashes: logs.crashes,
      forwarding: log.forwarding,
      network: network.monitor,
      minidumpDir: paths.minidumpDir,
      url: options.telemetryUrl,
      caFile: options.telemetryCa,
      log: logger.for('telemetry'),
      secrets: options.secrets,
    }),
  );
  host.add('watchdog', watchdogCapability({ watchdog: profile.watchdog, boot, power: profile.power }));
  host.add(
    'alerts',
    alertsCapability({
      health: health.snapshot,
      updates: update.updates.status,
      boot: boot.status,
      crashes: logs.crashes,
      installs: update.updates,
      thresholds: profile.alerts,
      stateDir: paths.stateDir,
      log: logger.for('alerts'),
    }),
  );

  const registrationLog = logger.for('registration');
  // A remembered configuration that cannot be read leaves the headset unmanaged, said in the log: it never stops a start.
  const fleet = await openFleetConfig({ url: options.fleetUrl, tags: options.fleetTags, stateDir: paths.stateDir }).catch((error: unknown) => {
    if (!(error instanceof FleetConfigError)) throw error;
    registrationLog.error(error.message);
    return undefined;
  });
  fleetLink.channel = fleet && new FleetClient(fleet.serverUrl, identity);
  // The relay for remote support: the session the fleet server opened, from the check-in answers; else support-relay.json.
  const supportLog = logger.for('support');
  const supportRelays = new FleetRelayDirectory(
    new RelayConfigFile(relayConfigPath(paths.stateDir), (reason) => supportLog.error(`the support relay file ${reason}`)),
  );
  const registration = host.add(
    'registration',
    registrationCapability({
      config: fleet,
      identity,
      facts: {
        info: async () => ({ ...info, components: await update.components() }),
        boot: () => boot.status.current(),
        health: () => health.snapshot.current(),
      },
      rollouts: update.fleetRollouts,
      supportOffers: supportRelays,
      network: network.network,
      stateDir: paths.stateDir,
      log: registrationLog,
      backoff: options.registration?.backoffMs && { ...options.registration.backoffMs, jitter: 0.5 },
      pendingPollMs: options.registration?.pendingPollMs,
      refusedPollMs: options.registration?.refusedPollMs,
    }),
  );
  fleetLink.registered = () => registration.registration.current()?.state === 'registered';

  // The licence: verified offline; its revocation list from the fleet server when one is configured, else the URL given.
  host.add(
    'license',
    licenseCapability({
      stateDir: paths.stateDir,
      trustDir: paths.trustDir,
      headset: () => ({ deviceId: identity.get().deviceId, identityPublicKey: identity.get().publicKey }),
      revocations: revocationSource({ fleetServerUrl: fleet?.serverUrl, url: options.licenseRevocationsUrl }),
      medium: profile.exportMedium,
      network: network.network,
      trustedTimes: update.trustedTimes,
      log: logger.for('license'),
    }),
  );

  const lock = host.add('lock', lockCapability({ stateDir: paths.stateDir, secrets: options.secrets, log: logger.for('lock') }));
  const state = (name: string) => join(paths.stateDir, name);
  host.add(
    'support',
    supportCapability({
      stateDir: paths.stateDir,
      runDir: paths.supportRunDir,
      sources: {
        logDir: paths.logDir,
        crashesDir: paths.crashesDir,
        healthHistory: state('health-history.jsonl'),
        updateHistory: state('update-history.json'),
        configFiles: ['update-config.json', 'telemetry-config.json', 'alerts-dismissed.json', 'setup.json', 'boot-count.json'].map(state),
      },
      secrets: options.secrets,
      log: supportLog,
      relays: supportRelays,
      relayChanges: supportRelays,
      supportSwitch: profile.supportSwitch,
      service: profile.supportViewUnit ? { viewUnit: profile.supportViewUnit } : undefined,
    }),
  );

  // Secure wipe and factory reset, over the user-data registry. The simulated headset ends a wipe by
  // stopping headsetd (its in-process power cycle would keep the services' memory of erased data).
  host.add(
    'reset',
    resetCapability({
      roots: userDataRootsOf(paths),
      identity,
      model: profile.model,
      build: options.build,
      lock: lock.pin,
      restart: () => (profile.kind === 'simulated' ? profile.power.powerOff() : profile.power.reboot()),
      // What a wipe runs on (the log, the signing identity, the boot and mode it restarts into, the
      // watchdog that must keep being fed, the network's reset); every other service stops first.
      quiesce: () => host.quiesce(['identity', 'boot', 'network', 'mode', 'system', 'logs', 'watchdog', 'lock', 'reset'], logger.for('reset')),
      deviceErase: profile.userData?.deviceErase,
      classEraser: profile.userData?.classEraser,
      trustDir: paths.trustDir,
      hardware: profile.hardware,
      // A configuration reset forgets the wearer's saved networks (support networks kept).
      network: network.settingsReset,
      log: logger.for('reset'),
    }),
  );

  // Backup: the registry's classes on the data partition, to the stick, the headset's backups folder, or the cloud.
  host.add(
    'backup',
    backupCapability({
      dataDir: paths.dataPartition,
      localDir: join(paths.dataPartition, 'backups'),
      workDir: join(paths.stateDir, 'backup'),
      usbStick: profile.exportMedium,
      classes: backupClassesFromRegistry(userDataRootsOf(paths)),
      model: profile.model,
      appVersion: options.build.version,
      host: () => identity.get().deviceId,
      secrets: options.secrets,
      log: logger.for('backup'),
    }),
  );

  const router = new ApiRouter(host.handlers(), host.events(), {
    mode: () => mode.mode(),
    // A connection holds `unlocked` while its unlock session lives (or while no PIN is set).
    scopeProvider: lock.scopes,
    onInternalError: (where, error) => logger.for('api').error(`internal error in ${where}`, { error: errorDetail(error) }),
    // What the wearer does in the kiosk (a join, a restore, an unlock) is logged under `recovery` too.
    onCallDone: recoveryCallLog(() => mode.mode(), recoveryLog),
  });
  return { host, router, services: { info, identity, boot, mode, update, health, logs, telemetry } };
}

export type WiredServices = Awaited<ReturnType<typeof wireCapabilities>>['services'];
