/**
 * What the network allows right now: downloads and telemetry wait while offline, and bulk
 * transfers while metered. One port for every capability; the network capability provides it.
 */
export type NetworkState = 'online' | 'metered' | 'offline';

export interface NetworkMonitor {
  state(): Promise<NetworkState>;
}
