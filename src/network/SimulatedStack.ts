import type { EthernetState, WifiSecurity } from '../api/contract/network.js';
import { AppError } from '../api/errors.js';
import type { AccessPoint, ActiveWifi, ConnectivityState, HotspotRequest, JoinRequest, NetworkBackend, WifiProfile } from './ports.js';
import { ssidToHex } from './ssid.js';

/** A network on the simulated air, as its file (or a test) describes it. */
export interface AirNetwork {
  ssid: string;
  signal: number;
  security: WifiSecurity;
  /** The key the access point accepts (WPA); absent for an open network. */
  password?: string;
  /** A phone's hotspot: joined, the headset is metered. */
  metered?: boolean;
  /** Does not answer scans (joinable as hidden). */
  hidden?: boolean;
}

/** A saved profile with its key, as the simulated NetworkManager keeps it (a keyfile's content). */
export interface StoredProfile extends Omit<WifiProfile, 'hasPassword'> {
  psk: string | null;
}

export interface SimulatedStackPorts {
  /** What is on the air now (read again at every step: a test may change it mid-join). */
  air(): Promise<AirNetwork[]>;
  /** The uplink besides Wi-Fi (the simulated cable): Ethernet's own state. */
  wired(): Promise<ConnectivityState>;
  loadProfiles(): Promise<StoredProfile[]>;
  /** Must be durable when it resolves (journaled on disk). */
  saveProfiles(profiles: StoredProfile[]): Promise<void>;
  newId(): string;
  /** Waits the time an association takes (a test or bench sets it). */
  associate(): Promise<void>;
}

const RANK: Record<ConnectivityState, number> = { offline: 0, metered: 1, online: 2 };

/**
 * A NetworkManager in miniature with its real rules: a scan lists what is on the air (hidden
 * networks not), joining checks the key the access point holds (a wrong one fails as it would),
 * a network gone from the air during the association fails the join, profiles are saved before
 * activation, one radio is a client or an access point, and at boot the saved network in reach
 * with the highest priority is joined.
 */
export class SimulatedStack implements NetworkBackend {
  private active: { profileId: string; ssidHex: string } | null = null;
  private hotspot: HotspotRequest | null = null;

  constructor(private readonly ports: SimulatedStackPorts) {}

  async scan(): Promise<AccessPoint[]> {
    if (this.hotspot) return [];
    const air = await this.ports.air();
    return air
      .filter((n) => !n.hidden)
      .map((n) => ({
        ssidHex: ssidToHex(n.ssid),
        signal: clampSignal(n.signal),
        security: n.security,
        inUse: this.active?.ssidHex === ssidToHex(n.ssid),
      }));
  }

  async profiles(): Promise<WifiProfile[]> {
    return (await this.ports.loadProfiles()).map(({ psk, ...profile }) => ({ ...profile, hasPassword: psk !== null }));
  }

  async join(request: JoinRequest): Promise<{ profileId: string }> {
    if (this.hotspot) throw new AppError('NETWORK_HOTSPOT_MODE');
    const profiles = await this.ports.loadProfiles();
    const existing = profiles.find((p) => p.id === request.profileId) ?? profiles.find((p) => p.ssidHex === request.ssidHex);
    const profile: StoredProfile = {
      id: existing?.id ?? this.ports.newId(),
      ssidHex: request.ssidHex,
      security: request.security,
      priority: request.priority,
      hidden: request.hidden,
      powerSaveOff: request.powerSaveOff,
      psk: request.security === 'open' ? null : (request.password ?? existing?.psk ?? null),
    };
    // NetworkManager saves the profile before it activates it (`connection add`, then `up`).
    await this.ports.saveProfiles([...profiles.filter((p) => p.id !== profile.id), profile]);
    try {
      await this.activate(profile, true);
    } catch (error) {
      // A key the network refused is not kept on a new profile, as nmcli drops it.
      if (!existing && error instanceof AppError && error.code === 'NETWORK_WRONG_PASSWORD') await this.remove(profile.id);
      throw error;
    }
    return { profileId: profile.id };
  }

  async modify(profileId: string, change: { priority?: number; powerSaveOff?: boolean }): Promise<void> {
    const profiles = await this.ports.loadProfiles();
    const profile = profiles.find((p) => p.id === profileId);
    if (!profile) throw new AppError('NETWORK_UNKNOWN_PROFILE', undefined, { id: profileId });
    await this.ports.saveProfiles(profiles.map((p) => (p.id === profileId ? { ...p, ...definedOnly(change) } : p)));
  }

  async remove(profileId: string): Promise<void> {
    const profiles = await this.ports.loadProfiles();
    if (!profiles.some((p) => p.id === profileId)) throw new AppError('NETWORK_UNKNOWN_PROFILE', undefined, { id: profileId });
    await this.ports.saveProfiles(profiles.filter((p) => p.id !== profileId));
    if (this.active?.profileId === profileId) this.active = null;
  }

  async activeWifi(): Promise<ActiveWifi | null> {
    if (!this.active) return null;
    const network = await this.inReach(this.active.ssidHex);
    // Out of reach, the association drops.
    if (!network) {
      this.active = null;
      return null;
    }
    return { ssidHex: this.active.ssidHex, signal: clampSignal(network.signal), profileId: this.active.profileId };
  }

  async ethernet(): Promise<EthernetState> {
    const wired = await this.ports.wired();
    return { present: true, carrier: wired !== 'offline', connected: wired !== 'offline', address: wired !== 'offline' ? '192.168.7.2/24' : null };
  }

  async connectivity(): Promise<ConnectivityState> {
    const wired = await this.ports.wired();
    const active = await this.activeWifi();
    const network = active ? await this.inReach(active.ssidHex) : undefined;
    const wifi: ConnectivityState = network ? (network.metered ? 'metered' : 'online') : 'offline';
    return RANK[wifi] > RANK[wired] ? wifi : wired;
  }

  async startHotspot(request: HotspotRequest): Promise<void> {
    this.active = null;
    this.hotspot = request;
  }

  /** Client mode (at boot): no access point, and NetworkManager's autoconnect by priority. */
  async stopHotspot(): Promise<void> {
    this.hotspot = null;
    await this.autoconnect();
  }

  /** At boot in client mode: the saved networks in reach, highest priority first, until one joins. */
  async autoconnect(): Promise<void> {
    if (this.hotspot || this.active) return;
    const profiles = [...(await this.ports.loadProfiles())].sort(
      (a, b) => Number(b.powerSaveOff) - Number(a.powerSaveOff) || b.priority - a.priority,
    );
    for (const profile of profiles) {
      if (!(await this.inReach(profile.ssidHex))) continue;
      try {
        await this.activate(profile, false);
        return;
      } catch {
        // The next one: a wrong saved key or a network gone is what NetworkManager skips too.
      }
    }
  }

  private async activate(profile: StoredProfile, explicit: boolean): Promise<void> {
    const before = await this.inReach(profile.ssidHex, profile.hidden);
    if (!before) throw new AppError('NETWORK_NOT_FOUND', undefined, { ssidHex: profile.ssidHex });
    if (before.security === 'enterprise' || before.security === 'wep') throw new AppError('NETWORK_SECURITY_UNSUPPORTED');
    if (explicit) this.active = null;
    await this.ports.associate();
    const now = await this.inReach(profile.ssidHex, profile.hidden);
    if (!now) throw new AppError('NETWORK_VANISHED', undefined, { ssidHex: profile.ssidHex });
    if (now.security !== 'open') {
      if (profile.psk === null) throw new AppError('NETWORK_PASSWORD_REQUIRED');
      if (profile.psk !== now.password) throw new AppError('NETWORK_WRONG_PASSWORD');
    } else if (profile.security !== 'open') {
      throw new AppError('NETWORK_CONNECT_FAILED', undefined, { reason: 'the network is open, the profile is secured' });
    }
    this.active = { profileId: profile.id, ssidHex: profile.ssidHex };
  }

  private async inReach(ssidHex: string, hiddenToo = true): Promise<AirNetwork | undefined> {
    return (await this.ports.air()).find((n) => ssidToHex(n.ssid) === ssidHex && (hiddenToo || !n.hidden));
  }
}

function clampSignal(signal: number): number {
  return Math.max(0, Math.min(100, Math.round(signal)));
}

function definedOnly<T extends object>(change: T): Partial<T> {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as Partial<T>;
}
