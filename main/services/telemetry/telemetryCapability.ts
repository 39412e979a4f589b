import { join } from 'node:path';
import type { BootStatus, HealthSnapshot, StateSource, UpdateHistoryEntry, UpdateStatus } from '../../../src/api/contract.js';
import type { telemetryCalls, telemetryEvents } from '../../../src/api/contract/telemetry.js';
import type { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import { METRICS } from '../../../src/telemetry/registry.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { GpsPosition } from '../gps/ports.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { NetworkMonitor } from '../platform/NetworkMonitor.js';
import type { BuildInfo } from '../system/buildInfo.js';
import { ConsentStore } from './ConsentStore.js';
import { DeviceIdHasher } from './DeviceIdHasher.js';
import type { LogForwardingSink } from './LogForwardingSink.js';
import { MinidumpFolder } from './MinidumpFolder.js';
import { Outbox } from './Outbox.js';
import { hasherWeekSigners, periodRequestSigner } from './RequestSigner.js';
import { openTelemetryDelivery, type TelemetryDelivery } from './TelemetryDelivery.js';
import { TelemetryService, type CrashSource } from './TelemetryService.js';

export interface TelemetryNeeds {
  stateDir: string;
  build: BuildInfo;
  identity: { get(): { deviceId: string } };
  boot: { readonly status: StateSource<BootStatus> };
  health: { readonly snapshot: StateSource<HealthSnapshot>; latestFix(): { position: GpsPosition; at: number } | null };
  updates: { readonly status: StateSource<UpdateStatus>; history(): Promise<UpdateHistoryEntry[]> };
  crashes: CrashSource;
  /** The process log's warn, error and fatal entries reach telemetry through it. */
  forwarding: LogForwardingSink;
  network: NetworkMonitor;
  /** Electron's crashDumps folder (Crashpad's database: completed dumps in `completed/`). */
  minidumpDir: string;
  /** The OTLP/HTTP endpoint and its CA (remembered once given; "off" forgets). */
  url?: string;
  caFile?: string;
  log: SubsystemLogger;
  /** The pseudonym key and the week's signing seed are registered here; what is forwarded is cut by value. */
  secrets?: SecretRegistry;
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

/**
 * Consent-gated, anonymized telemetry (privacy.get, privacy.set, usage.record, privacy.changed) and
 * its delivery: a bounded disk outbox forwarded as OTLP/HTTP (telemetry.outbox). Consent and the
 * pseudonym key live in `stateDir`.
 */
export async function telemetryCapability(needs: TelemetryNeeds): Promise<Capability<{ telemetry: TelemetryService; delivery: TelemetryDelivery }>> {
  const outbox = await Outbox.open({ dir: telemetryOutboxDir(needs.stateDir), limitBytes: 16 * 1024 * 1024, log: needs.log });
  const hasher = new DeviceIdHasher(needs.stateDir, () => needs.identity.get().deviceId, undefined, needs.secrets);
  const telemetry = new TelemetryService({
    outbox,
    consent: new ConsentStore(needs.stateDir),
    hasher,
    stateDir: needs.stateDir,
    appVersion: needs.build.version,
    health: needs.health.snapshot,
    boot: needs.boot.status,
    updates: needs.updates,
    crashes: needs.crashes,
    minidumps: new MinidumpFolder(needs.minidumpDir, {
      retentionMs: METRICS['crash.minidump'].retentionDays * 86_400_000,
      maxDumpBytes: NO_DUMP_BYTES,
    }),
    latestFix: () => needs.health.latestFix(),
    // Telemetry's own entries are never forwarded (LogForwardingSink): its problems are warnings here.
    warn: (msg, fields) => needs.log.warn(msg, fields),
    secrets: needs.secrets,
  });
  needs.forwarding.attach(telemetry);
  const delivery = await openTelemetryDelivery({
    outbox,
    stateDir: needs.stateDir,
    url: needs.url,
    caFile: needs.caFile,
    // Signs with this week's telemetry key, derived with the pseudonym (loaded by telemetry.start()).
    signer: periodRequestSigner(() => hasher.signingSeed()),
    // Each record is signed by the key of the week it was recorded under, never this week's.
    weeks: hasherWeekSigners(hasher),
    network: needs.network,
    // No device id: records carry the rotating pseudonym instead.
    resource: () => ({ serviceName: 'headsetd', serviceVersion: needs.build.version, deviceId: null }),
    log: needs.log,
  });
  const handlers: HandlersOf<typeof telemetryCalls> = {
    'privacy.get': () => telemetry.privacy(),
    'privacy.set': (decision) => telemetry.setConsent(decision),
    'telemetry.outbox': () => delivery.status(),
    'usage.record': async ({ event, name }) => ({
      recorded: await telemetry.record(event, null, event === 'ui.screen_view' ? { screen: name } : { feature: name }),
    }),
  };
  const events: EventsOf<typeof telemetryEvents> = { 'privacy.changed': telemetry.status };
  return {
    provides: { telemetry, delivery },
    handlers,
    events,
    async start() {
      await telemetry.start();
      delivery.start();
    },
    async stop() {
      // From here on entries stay local: a warning logged while stopping must not open new outbox files.
      needs.forwarding.detach();
      await telemetry.stop();
      await delivery.stop();
    },
  };
}
