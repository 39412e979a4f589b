import type { NetworkStatus, StateSource } from '../../../src/api/contract.js';
import type { networkCalls, networkEvents } from '../../../src/api/contract/network.js';
import { NetworkProvisioner } from '../../../src/network/NetworkProvisioner.js';
import { networkHandlers } from '../../../src/network/networkHandlers.js';
import type { SecretRegistrar } from '../../../src/secrets/SecretRegistry.js';
import type { Capability, EventsOf, HandlersOf } from '../capability.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { NetworkMonitor } from '../platform/NetworkMonitor.js';
import { generateHotspotPassword } from './hotspotPassword.js';
import { LogAuditTrail } from './LogAuditTrail.js';
import { NetworkWatcher } from './NetworkWatcher.js';
import type { LogQueryPort, ModeLatch, NetworkBackend } from './ports.js';

export interface NetworkNeeds {
  backend: NetworkBackend;
  latch: ModeLatch;
  log: SubsystemLogger;
  secrets: SecretRegistrar;
  /** Reads the log back for `network.audit`. */
  auditLog: LogQueryPort;
  /** Resolves once what was logged so far can be read back (the log's writes are batched). */
  auditSettled?: () => Promise<void>;
  /** The hotspot's name (the serial number's tail keeps headsets apart). */
  hotspotSsid: string;
  pollMs?: number;
  scanFreshMs?: number;
}

/**
 * The network: provisioning (scan, join, saved networks, support networks, forget, the hotspot the
 * latch asks for at boot, the audit) over the profile's network stack, and the network state port
 * every other capability reads (`provides.monitor`: online, metered, offline), taken from the same
 * stack the wearer's changes go through and pushed as network.changed.
 */
export function networkCapability(needs: NetworkNeeds): Capability<{
  network: StateSource<NetworkStatus>;
  monitor: NetworkMonitor;
  /** The reset capability's NetworkSettingsReset: saved networks back to the defaults (support networks kept). */
  settingsReset: { resetToDefaults(options?: { quiet?: boolean }): Promise<{ forgotten: number; kept: number }> };
}> {
  // Each poll reads the stack once: the overview and the online state come from the same read.
  const watcher = new NetworkWatcher({ state: () => provisioner.refresh() }, { log: needs.log, pollMs: needs.pollMs });
  const provisioner: NetworkProvisioner = new NetworkProvisioner({
    backend: needs.backend,
    latch: needs.latch,
    audit: new LogAuditTrail(needs.log, needs.auditLog, needs.auditSettled),
    secrets: needs.secrets,
    status: watcher.status,
    hotspot: { ssid: needs.hotspotSsid, generatePassword: () => generateHotspotPassword() },
    scanFreshMs: needs.scanFreshMs,
    afterChange: () => watcher.read(),
  });
  const handlers: HandlersOf<typeof networkCalls> = { 'network.status': () => watcher.current(), ...networkHandlers(provisioner) };
  const events: EventsOf<typeof networkEvents> = { 'network.changed': watcher.status, 'network.overviewChanged': provisioner.overview };
  // What update, telemetry and registration read: the last state the watcher saw (read every poll and after each change).
  const monitor: NetworkMonitor = { state: async () => (await watcher.current()).state };
  return {
    provides: { network: watcher.status, monitor, settingsReset: { resetToDefaults: (options) => provisioner.resetToDefaults(options) } },
    handlers,
    events,
    start: async () => {
      // A stack that cannot say what it is in still lets headsetd start: the watcher reads offline and says why.
      await provisioner.start().catch((error: unknown) => needs.log.error('the network could not start', { error: String(error) }));
      await watcher.start();
    },
    stop: async () => watcher.stop(),
  };
}
