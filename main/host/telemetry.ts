import { join } from 'node:path';
import type { BootService } from '../services/boot/BootService.js';
import type { GpsService } from '../services/gps/GpsService.js';
import type { HealthService } from '../services/health/HealthService.js';
import type { IdentityService } from '../services/identity/IdentityService.js';
import type { CrashRecorder } from '../services/logging/CrashRecorder.js';
import type { SubsystemLogger } from '../services/logging/Logger.js';
import { ConsentStore } from '../services/telemetry/ConsentStore.js';
import { DeviceIdHasher } from '../services/telemetry/DeviceIdHasher.js';
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
