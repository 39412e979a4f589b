import type { NetworkStatus } from '../../../src/api/contract.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { errorMessage } from '../../../src/errorText.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { NetworkMonitor } from '../platform/NetworkMonitor.js';

export interface NetworkWatcherOptions {
  /** How often the monitor is read again (the simulated headset's file, the network service's). */
  pollMs?: number;
  log?: SubsystemLogger;
  now?: () => Date;
}

export const DEFAULT_NETWORK_POLL_MS = 2000;

/**
 * The network state as the wearer sees it: read from the shared network port at start and every
 * couple of seconds after, pushed whole when it changes (not on every read), each change logged.
 */
export class NetworkWatcher {
  readonly status = new StateChannel<NetworkStatus>();
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<NetworkStatus> | undefined;
  private readFailed = false;

  constructor(
    private readonly monitor: NetworkMonitor,
    private readonly options: NetworkWatcherOptions = {},
  ) {}

  async start(): Promise<void> {
    await this.read();
    this.timer = setInterval(() => void this.read(), this.options.pollMs ?? DEFAULT_NETWORK_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The state now: the last one read, or a fresh read before the first. */
  async current(): Promise<NetworkStatus> {
    return this.status.current() ?? this.read();
  }

  /** One read at a time: a slow read is not overtaken by the next tick's. */
  read(): Promise<NetworkStatus> {
    this.reading ??= this.readOnce().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async readOnce(): Promise<NetworkStatus> {
    const before = this.status.current();
    let state: NetworkStatus['state'];
    try {
      state = await this.monitor.state();
      this.readFailed = false;
    } catch (error) {
      // The last state read stands; said once, not every couple of seconds.
      if (!this.readFailed) this.options.log?.warn('could not read the network state', { error: errorMessage(error) });
      this.readFailed = true;
      if (before) return before;
      state = 'offline';
    }
    if (before?.state === state) return before;
    const next: NetworkStatus = { state, since: (this.options.now?.() ?? new Date()).toISOString() };
    if (before) this.options.log?.info(`network ${before.state} -> ${state}`, { from: before.state, to: state });
    else this.options.log?.info(`network ${state}`, { to: state });
    this.status.set(next);
    return next;
  }
}
