import { readFile } from 'node:fs/promises';
import type { NetworkMonitor, NetworkState } from './NetworkMonitor.js';

/**
 * The simulated headset's network: a file holding `online`, `metered` or `offline` (a missing
 * file is online), which a developer or a test writes to pull the cable or join a hotspot.
 */
export class NetworkStateFile implements NetworkMonitor {
  constructor(private readonly path: string) {}

  async state(): Promise<NetworkState> {
    const text = (await readFile(this.path, 'utf8').catch(() => 'online')).trim();
    return text === 'offline' || text === 'metered' ? text : 'online';
  }
}
