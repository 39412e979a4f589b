import { ApiClient } from '../../src/api/client.js';
import type { Mode, Scope } from '../../src/api/contract.js';
import { SecretRegistry } from '../../src/secrets/SecretRegistry.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import type { ApiRouter } from '../../src/api/router.js';
import type { Logger } from '../services/logging/Logger.js';
import type { RotatingLogFile } from '../services/logging/RotatingLogFile.js';
import type { BuildInfo } from '../services/system/buildInfo.js';
import type { BootOutcome, ReachabilityCheck } from '../services/update/updateCapability.js';
import { openProcessLog } from './processLog.js';
import { LINUX_LOG_DIR, openLinuxProfile } from './profiles/linuxProfile.js';
import { openSimulatedProfile, simulatedLogDir } from './profiles/simulatedProfile.js';
import { wireCapabilities, type WiredServices } from './wiring.js';

export { LINUX_RECOVERY_BUTTON } from './profiles/linuxProfile.js';

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
  /** The fleet server to register with and the group tags to report (remembered once given; "off" forgets). */
  fleetUrl?: string;
  fleetTags?: string;
  /** Where the signed licence revocation list is fetched when no fleet server is configured. */
  licenseRevocationsUrl?: string;
  /** Registration's waits, shortened by tests. */
  registration?: { backoffMs?: { baseMs: number; maxMs: number }; pendingPollMs?: number; refusedPollMs?: number };
  /** The bootloader: simulated, chosen when the device is made (default grub); linux, detected unless given. */
  boot?: 'grub' | 'uboot';
  /** Every log entry as one plain line too, redacted (headsetd: its stdout, the journal). */
  log?: (line: string) => void;
  /** headsetd: a trial boot commits once `confirmBoot` reached the API over its transports (else: in process, at once). */
  confirmBootOverTransport?: boolean;
  /** The process's secret registry, when the caller made it first (headsetd: for its own output); else a new one. */
  secrets?: SecretRegistry;
  /** The simulated headset switched off (system.powerOff): headsetd stops as at SIGTERM; default: close(). */
  onPowerOff?: () => void;
}

export interface Headset {
  router: ApiRouter;
  /** The process's structured log (JSON lines); headsetd flushes it on a crash. */
  logger: Logger;
  logFile: RotatingLogFile;
  /** Every secret the headset holds, cut out of every output by value (docs/redaction.md). */
  secrets: SecretRegistry;
  services: WiredServices;
  socketPath: string;
  description: string;
  /** Checks a trial boot's API is reachable (now and after every power cycle), then commits it; a failed check reboots. */
  confirmBoot(check: ReachabilityCheck): Promise<BootOutcome>;
  close(): Promise<void>;
}

/**
 * The composition root: opens the log and the device profile (the only place a profile is
 * chosen), wires the capabilities from it, and starts them in their dependency order.
 */
export async function createHeadset(options: HeadsetOptions): Promise<Headset> {
  const root = options.root ?? '.headset';
  const secrets = options.secrets ?? new SecretRegistry();
  const log = await openProcessLog(options.device === 'simulated' ? simulatedLogDir(root) : LINUX_LOG_DIR, options.build, options.log, secrets);
  // Bound once the headset exists: switching the simulated headset off ends it.
  let switchOff: () => void = () => undefined;
  const profile =
    options.device === 'simulated'
      ? await openSimulatedProfile(
          {
            root,
            factoryVersion: options.build.version,
            bootloader: options.boot,
            watchdogTimeoutMs: options.watchdogTimeoutMs,
            switchOff: () => switchOff(),
          },
          log.logger,
        )
      : await openLinuxProfile({ bootloader: options.boot, secrets });
  const { host, router, services } = await wireCapabilities(profile, log, { ...options, secrets });
  const system = log.logger.for('system');
  await host.start(system);
  // Without headsetd's transports (an embedding, a test) the API is reached in process.
  if (!options.confirmBootOverTransport) await services.update.confirmBoot(() => pingInProcess(router));
  system.info(`headsetd started: ${profile.description}`);
  const headset: Headset = {
    router,
    logger: log.logger,
    logFile: log.logFile,
    secrets,
    services,
    socketPath: profile.paths.socket,
    description: profile.description,
    confirmBoot: (check) => services.update.confirmBoot(check),
    close: async () => {
      // Each capability stops even when one before it failed; the log closes last, after everything was said.
      await host.stop(system);
      system.info('headsetd stopped');
      await log.logFile.closeAsync();
    },
  };
  switchOff = options.onPowerOff ?? (() => void headset.close());
  return headset;
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
