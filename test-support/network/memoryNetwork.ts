import type { NetworkAuditEntry, NetworkStatus } from '../../src/api/contract/network.js';
import type { StateSource } from '../../src/api/contract.js';
import { NetworkProvisioner } from '../../src/network/NetworkProvisioner.js';
import type { AuditRecord, ConnectivityState, NetworkAuditTrail } from '../../src/network/ports.js';
import { SimulatedStack, type AirNetwork, type StoredProfile } from '../../src/network/SimulatedStack.js';
import { SecretRegistry } from '../../src/secrets/SecretRegistry.js';

/** The audit kept in memory (headsetd writes it to the log under `network`). */
export class MemoryAuditTrail implements NetworkAuditTrail {
  readonly entries: NetworkAuditEntry[] = [];

  record(entry: AuditRecord): void {
    this.entries.push({ time: new Date().toISOString(), ...entry });
  }

  async list(query: { limit: number; before?: string }) {
    const newestFirst = [...this.entries].reverse();
    const start = query.before ? Number(query.before) : 0;
    const page = newestFirst.slice(start, start + query.limit);
    const next = start + page.length;
    return { entries: page, nextCursor: next < newestFirst.length ? String(next) : null };
  }
}

export interface MemoryNetworkOptions {
  air?: AirNetwork[];
  profiles?: StoredProfile[];
  wired?: ConnectivityState;
  latch?: 'client' | 'hotspot';
  /** Runs while a join associates (a test makes the network vanish there). */
  duringJoin?: () => void | Promise<void>;
}

/**
 * The real network policy over the simulated NetworkManager's rules, all in memory: what the fake
 * device serves for the network calls, with its air, profiles and cable a test can change.
 */
export function createMemoryNetwork(status: StateSource<NetworkStatus>, options: MemoryNetworkOptions = {}) {
  const world = {
    air: options.air ?? [
      { ssid: 'Home', signal: 80, security: 'wpa2-personal', password: 'correct horse' },
      { ssid: 'Café: free', signal: 45, security: 'open' },
      { ssid: 'Office', signal: 30, security: 'enterprise' },
    ],
    profiles: options.profiles ?? [],
    wired: options.wired ?? 'online',
    latch: options.latch ?? 'client',
  } as { air: AirNetwork[]; profiles: StoredProfile[]; wired: ConnectivityState; latch: 'client' | 'hotspot' };
  let ids = 0;
  const stack = new SimulatedStack({
    air: async () => world.air,
    wired: async () => world.wired,
    loadProfiles: async () => world.profiles.map((p) => ({ ...p })),
    saveProfiles: async (profiles) => void (world.profiles = profiles.map((p) => ({ ...p }))),
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    associate: async () => void (await options.duringJoin?.()),
  });
  const audit = new MemoryAuditTrail();
  const secrets = new SecretRegistry();
  const provisioner = new NetworkProvisioner({
    backend: stack,
    latch: { read: async () => world.latch },
    audit,
    secrets,
    status,
    hotspot: { ssid: 'Headset-TEST', generatePassword: () => 'hotspot-pass-1234' },
  });
  return { world, stack, audit, secrets, provisioner };
}
