export type { EthernetState } from '../api/contract/network.js';
import type { EthernetState, NetworkActor, NetworkAuditAction, NetworkAuditEntry, WifiSecurity } from '../api/contract/network.js';

/**
 * What the network policy (NetworkProvisioner) needs from a network stack: the nmcli adapter on a
 * Linux headset, the simulated NetworkManager on the simulated one, an in-memory one in tests.
 * SSIDs travel as their bytes in hex (exact); passwords only into `join`, never out.
 */

export type ConnectivityState = 'online' | 'metered' | 'offline';

export interface AccessPoint {
  ssidHex: string;
  signal: number;
  security: WifiSecurity;
  /** The headset is associated with it now. */
  inUse: boolean;
}

export interface WifiProfile {
  /** Connection UUID. */
  id: string;
  ssidHex: string;
  security: 'open' | 'wpa2-personal' | 'wpa3-personal';
  priority: number;
  hidden: boolean;
  /** Wi-Fi power saving off: how a support network is marked. */
  powerSaveOff: boolean;
  hasPassword: boolean;
}

export interface JoinRequest {
  ssidHex: string;
  security: 'open' | 'wpa2-personal' | 'wpa3-personal';
  /** Never logged, never on a command line; absent: open, or the saved profile's own. */
  password?: string;
  hidden: boolean;
  priority: number;
  powerSaveOff: boolean;
  /** An existing profile to update and activate instead of a new one. */
  profileId?: string;
}

export interface ActiveWifi {
  ssidHex: string;
  signal: number;
  /** The saved profile in use, when known. */
  profileId: string | null;
}

export interface HotspotRequest {
  ssid: string;
  password: string;
}

export interface NetworkBackend {
  /** Access points in reach; `rescan` asks the radio again first (else its last list). */
  scan(rescan: boolean): Promise<AccessPoint[]>;
  profiles(): Promise<WifiProfile[]>;
  /** Saves (or updates) the profile and activates it; resolves once connected, else throws a NETWORK_* AppError. */
  join(request: JoinRequest): Promise<{ profileId: string }>;
  modify(profileId: string, change: { priority?: number; powerSaveOff?: boolean }): Promise<void>;
  remove(profileId: string): Promise<void>;
  activeWifi(): Promise<ActiveWifi | null>;
  ethernet(): Promise<EthernetState>;
  connectivity(): Promise<ConnectivityState>;
  /** Raises the access point (hotspot mode); no client connection at the same time. */
  startHotspot(request: HotspotRequest): Promise<void>;
  /** Client mode: no access point of ours up (a hotspot left from an earlier boot goes down). */
  stopHotspot(): Promise<void>;
}

/** The hardware latch (a GPIO line, a file on the simulated headset), read once per boot. */
export interface ModeLatch {
  read(): Promise<'client' | 'hotspot'>;
}

export interface AuditRecord {
  who: NetworkActor | 'system';
  action: NetworkAuditAction;
  ssid: string | null;
  detail: string;
  result: 'ok' | 'failed';
  code: string | null;
}

/** Where network changes are written down (the log under `network`) and read back. */
export interface NetworkAuditTrail {
  record(entry: AuditRecord): void;
  list(query: { limit: number; before?: string }, signal?: AbortSignal): Promise<{ entries: NetworkAuditEntry[]; nextCursor: string | null }>;
}
