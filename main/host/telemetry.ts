import { join } from 'node:path';
import { METRICS } from '../../src/telemetry/registry.js';
import type { BootService } from '../services/boot/BootService.js';
import type { GpsService } from '../services/gps/GpsService.js';
import type { HealthService } from '../services/health/HealthService.js';
import type { IdentityService } from '../services/identity/IdentityService.js';
import type { CrashRecorder } from '../services/logging/CrashRecorder.js';
import type { SubsystemLogger } from '../services/logging/Logger.js';
import { ConsentStore } from '../services/telemetry/ConsentStore.js';
import { DeviceIdHasher } from '../services/telemetry/DeviceIdHasher.js';
import { MinidumpFolder } from '../services/telemetry/MinidumpFolder.js';
import type { LogForwardingSink } from '../services/telemetry/LogForwardingSink.js';
import type { TelemetryOutbox } from '../services/telemetry/ports.js';
import { TelemetryService } from '../services/telemetry/TelemetryService.js';
import type { UpdateService } from '../services/update/UpdateService.js';

/**
 * Telemetry wired to the services it observes (the same for every device profile; only the state
 * folder differs): consent and the pseudonym key live in `stateDir`, records go to `outbox`, and
 * the process log's warn/error/fatal entries reach it through `forwarding`.
 */
export function createTelemetry(parts: {
  stateDir: string;
  appVersion: string;
  outbox: TelemetryOutbox;
  identity: IdentityService;
  boot: BootService;
  health: HealthService;
  updates: UpdateService;
  crashes: CrashRecorder;
  gps: GpsService | undefined;
  forwarding: LogForwardingSink;
  log: SubsystemLogger;
  /** Electron's crashDumps folder (Crashpad's database: completed dumps in `completed/`). */
  minidumpDir?: string;
}): { telemetry: TelemetryService; hasher: DeviceIdHasher } {
  const hasher = new DeviceIdHasher(parts.stateDir, () => parts.identity.get().deviceId);
  const telemetry = new TelemetryService({
    outbox: parts.outbox,
    consent: new ConsentStore(parts.stateDir),
    hasher,
    stateDir: parts.stateDir,
    appVersion: parts.appVersion,
    health: parts.health.snapshot,
    boot: parts.boot.status,
    updates: parts.updates,
    crashes: parts.crashes,
    minidumps: parts.minidumpDir ? new MinidumpFolder(parts.minidumpDir, { retentionMs: METRICS['crash.minidump'].retentionDays * 86_400_000, maxDumpBytes: NO_DUMP_BYTES }) : undefined,
    latestFix: parts.gps ? () => parts.gps!.latestFix() : undefined,
    // Problems of telemetry itself go to the local log at info: a warn would be forwarded again.
    warn: (msg, fields) => parts.log.info(msg, fields),
  });
  parts.forwarding.attach(telemetry);
  return { telemetry, hasher };
}

export function telemetryOutboxDir(stateDir: string): string {
  return join(stateDir, 'telemetry-outbox');
}

/**
 * A minidump is the interface's memory at the crash, unscrubbed: it may hold what the wearer typed
 * (a Wi-Fi password). Only its size, hash and hour leave the headset; the vendor asks for the dump
 * itself through support, where the wearer sees it leave.
 */
const NO_DUMP_BYTES = 0;
