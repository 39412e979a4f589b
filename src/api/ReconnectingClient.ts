import { ApiClient } from './client.js';
import type { Port } from './port.js';
import { ReconnectBackoff } from './reconnectBackoff.js';

/** Where a connection that comes back by itself stands. */
export type ReconnectPhase =
  /** Not started yet. */
  | { status: 'idle' }
  /** An attempt is running; `attempt` counts from 1 since the last success. */
  | { status: 'connecting'; attempt: number }
  | { status: 'connected' }
  /** The last attempt failed or the connection closed; the next attempt starts at `retryAt` (ms since the epoch). */
  | { status: 'waiting'; failures: number; retryAt: number; reason: string }
  | { status: 'stopped' };

export interface ReconnectTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface ReconnectingClientOptions {
  /** Opens a new port to headsetd (a WebSocket, the Electron bridge, the Unix socket). */
  open: () => Promise<Port>;
  /**
   * Runs on every new client before it counts as connected: bind stores, subscribe, load. A
   * rejection fails the attempt (the client is closed and another comes after the backoff).
   */
  setUp: (client: ApiClient) => Promise<void>;
  onPhase?: (phase: ReconnectPhase) => void;
  backoff?: ReconnectBackoff;
  timers?: ReconnectTimers;
}

const realTimers: ReconnectTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/**
 * An API client that comes back by itself: each time the port closes (headsetd restarted, the
 * socket dropped) it waits per the backoff and opens a new port, builds a new client and runs
 * `setUp` on it again. `retryNow` (the Retry button) skips the wait and starts the backoff over.
 */
export class ReconnectingClient {
  private current: ApiClient | undefined;
  private phaseNow: ReconnectPhase = { status: 'idle' };
  private timer: unknown;
  private readonly backoff: ReconnectBackoff;
  private readonly timers: ReconnectTimers;

  constructor(private readonly options: ReconnectingClientOptions) {
    this.backoff = options.backoff ?? new ReconnectBackoff();
    this.timers = options.timers ?? realTimers;
  }

  get phase(): ReconnectPhase {
    return this.phaseNow;
  }

  /** The client of the live connection, if there is one. */
  get client(): ApiClient | undefined {
    return this.phaseNow.status === 'connected' ? this.current : undefined;
  }

  start(): void {
    if (this.phaseNow.status === 'idle') void this.attempt();
  }

  /** Try now: the wait is dropped and the backoff starts over. Ignored while connected or trying. */
  retryNow(): void {
    if (this.phaseNow.status !== 'waiting') return;
    this.cancelTimer();
    this.backoff.reset();
    void this.attempt();
  }

  stop(): void {
    this.cancelTimer();
    this.setPhase({ status: 'stopped' });
    const client = this.current;
    this.current = undefined;
    client?.close();
  }

  private async attempt(): Promise<void> {
    this.timer = undefined;
    this.setPhase({ status: 'connecting', attempt: this.backoff.attempts + 1 });
    let port: Port;
    try {
      port = await this.options.open();
    } catch (error) {
      return this.failed(error);
    }
    if (this.phaseNow.status === 'stopped') return port.close();
    const client = new ApiClient(port);
    this.current = client;
    let closed = false;
    // Registered before setUp: a close while setting up must fail the attempt, not be missed.
    client.onClose(() => {
      closed = true;
      this.lost(client);
    });
    try {
      await this.options.setUp(client);
    } catch (error) {
      if (this.current === client) this.current = undefined;
      client.close();
      return this.failed(error);
    }
    if (this.current !== client) return;
    if (closed) {
      this.current = undefined;
      return this.failed(new Error('The connection closed while it was being set up.'));
    }
    this.backoff.reset();
    this.setPhase({ status: 'connected' });
  }

  private lost(client: ApiClient): void {
    // Only the live connection's close counts: one closed while setting up is the attempt's failure.
    if (client !== this.current || this.phaseNow.status !== 'connected') return;
    this.current = undefined;
    this.wait('The connection to the headset closed.');
  }

  private failed(error: unknown): void {
    if (this.phaseNow.status === 'stopped') return;
    this.wait(error instanceof Error ? error.message : String(error));
  }

  private wait(reason: string): void {
    const delay = this.backoff.next();
    this.setPhase({ status: 'waiting', failures: this.backoff.attempts, retryAt: this.timers.now() + delay, reason });
    this.timer = this.timers.setTimeout(() => void this.attempt(), delay);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private setPhase(phase: ReconnectPhase): void {
    this.phaseNow = phase;
    this.options.onPhase?.(phase);
  }
}
