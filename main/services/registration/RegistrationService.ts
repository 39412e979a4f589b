import type { NetworkStatus, RegistrationProblem, RegistrationStatus, StateSource } from '../../../src/api/contract.js';
import { AppError } from '../../../src/api/errors.js';
import { ReconnectBackoff, type ReconnectBackoffOptions } from '../../../src/api/reconnectBackoff.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import { errorMessage } from '../../../src/errorText.js';
import type { SupportOffer } from '../../../src/fleet/supportApi.js';
import { inventoryOf } from '../../../src/registration/inventoryOf.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { FleetClient } from './FleetClient.js';
import type { FleetConfig } from './fleetConfig.js';
import type { IdentitySigner, InventoryFacts, RolloutReports } from './ports.js';
import type { RegistrationJournal, RegistrationRecord } from './RegistrationJournal.js';

export interface RegistrationServiceOptions {
  /** The fleet server and group tags; undefined: none configured, the service idles. */
  config: FleetConfig | undefined;
  identity: IdentitySigner;
  facts: InventoryFacts;
  /** The update capability's rollout reports and offers; without it check-ins carry the inventory alone. */
  rollouts?: RolloutReports;
  /** Told the support session each check-in answer carries (null: none); the support capability's relays. */
  supportOffers?: { offered(offer: SupportOffer | null): void };
  network: StateSource<NetworkStatus>;
  journal: RegistrationJournal;
  log: SubsystemLogger;
  /** After a failed attempt: 5 s doubling to 15 minutes, with jitter (a fleet coming back is not stormed). */
  backoff?: ReconnectBackoffOptions;
  /** How often a headset waiting for an operator asks again. */
  pendingPollMs?: number;
  /** How often a refused headset asks again (an operator may re-accept a rejected one). */
  refusedPollMs?: number;
  requestTimeoutMs?: number;
  now?: () => number;
}

export const REGISTRATION_BACKOFF: ReconnectBackoffOptions = { baseMs: 5_000, maxMs: 15 * 60_000, jitter: 0.5 };
const PENDING_POLL_MS = 60_000;
const REFUSED_POLL_MS = 60 * 60_000;

/** The server no longer knows the key the journal says it registered: registering again is the way back. */
const FORGOTTEN = new Set(['DEVICE_UNKNOWN', 'SIGNATURE_INVALID']);

/**
 * The headset's registration with its fleet server: registers when online (and again whenever the
 * identity key is not the one the server accepted, as after a factory reset made a new one), then
 * checks in with its inventory as often as the server asks. One attempt at a time, never blocking
 * anything else: without a server it idles; waiting for an operator, refused, a server down or its
 * database unavailable are states with their reason, retried with backoff, never a failure.
 */
export class RegistrationService {
  readonly status: StateChannel<RegistrationStatus>;
  private record: RegistrationRecord | undefined;
  private readonly backoff: ReconnectBackoff;
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastNetwork: NetworkStatus['state'] | undefined;
  private stopped = false;

  constructor(private readonly options: RegistrationServiceOptions) {
    this.backoff = new ReconnectBackoff(options.backoff ?? REGISTRATION_BACKOFF);
    const config = options.config;
    this.status = new StateChannel<RegistrationStatus>({
      state: config ? 'offline' : 'unmanaged',
      serverUrl: config?.serverUrl ?? null,
      serverName: config ? new URL(config.serverUrl).host : null,
      accepted: false,
      groupTags: config?.groupTags ?? [],
      lastCheckInAt: null,
      nextAttemptAt: null,
      problem: null,
    });
  }

  private get now(): number {
    return this.options.now?.() ?? Date.now();
  }

  async start(): Promise<void> {
    const { config, journal, log } = this.options;
    if (!config) return;
    const { record, unreadable } = await journal.load();
    if (unreadable) log.warn('registration journal unreadable: registering again');
    this.record = record;
    this.publish({ state: 'offline', problem: null });
    // An attempt as soon as the network allows, and again each time it comes back.
    this.unsubscribe = this.options.network.subscribe((network) => this.onNetwork(network.state));
    const network = this.options.network.current();
    if (network) this.onNetwork(network.state);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.stopping.abort();
    await this.running;
  }

  /** Registers or checks in now; answers the state after the attempt. */
  async checkNow(): Promise<RegistrationStatus> {
    if (!this.options.config) throw new AppError('REGISTRATION_NOT_CONFIGURED');
    this.backoff.reset();
    await this.running;
    await this.attemptNow();
    return this.status.current()!;
  }

  private onNetwork(state: NetworkStatus['state']): void {
    const cameOnline = state !== 'offline' && (this.lastNetwork === undefined || this.lastNetwork === 'offline');
    this.lastNetwork = state;
    if (state === 'offline') {
      clearTimeout(this.timer);
      if (!this.running) this.publish({ state: 'offline', nextAttemptAt: null });
    } else if (cameOnline) {
      this.backoff.reset();
      void this.attemptNow();
    }
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attemptNow(), delayMs);
    this.timer.unref();
    this.publish({ nextAttemptAt: new Date(this.now + delayMs).toISOString() });
  }

  private attemptNow(): Promise<void> {
    if (this.running) return this.running;
    clearTimeout(this.timer);
    this.running = this.attempt()
      .catch((error: unknown) => {
        // Only a fault of the headset's own (a journal that cannot be written, an inventory off the schema) lands here.
        this.options.log.error('registration attempt failed', { error: errorMessage(error) });
        this.fail({ code: 'INTERNAL', message: errorMessage(error) });
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async attempt(): Promise<void> {
    const { config, identity, log } = this.options;
    if (!config || this.stopped) return;
    if (this.options.network.current()?.state === 'offline') {
      this.publish({ state: 'offline', nextAttemptAt: null });
      return;
    }
    // A standing the wearer already sees (managed, waiting, refused) stays on screen while it is asked again.
    const shown = this.status.current()!.state;
    this.publish(
      shown === 'registered' || shown === 'pending' || shown === 'refused' ? { nextAttemptAt: null } : { state: 'contacting', nextAttemptAt: null },
    );
    const client = new FleetClient(config.serverUrl, identity, {
      timeoutMs: this.options.requestTimeoutMs,
      now: this.options.now,
      signal: this.stopping.signal,
    });
    const { deviceId, publicKey } = identity.get();

    if (!this.registeredAs(config.serverUrl, deviceId, publicKey)) {
      const registered = await client.register();
      if (this.stopped) return;
      if (!registered.ok) return this.onProblem(registered.problem);
      log.info('registered with the fleet server', { server: config.serverUrl, status: registered.value.status });
      await this.remember({
        version: 1,
        serverUrl: config.serverUrl,
        deviceId,
        publicKey,
        status: registered.value.status,
        acceptedAt: null,
        lastCheckInAt: null,
      });
    }

    const { facts } = this.options;
    const boot = facts.boot();
    if (!boot) throw new Error('the boot status is not known yet');
    const inventory = inventoryOf({ info: await facts.info(), boot, health: facts.health(), groupTags: config.groupTags });
    const reports = this.options.rollouts?.pendingReports() ?? [];
    const checkedIn = await client.checkIn(inventory, reports);
    if (this.stopped) return;
    if (!checkedIn.ok) return this.onProblem(checkedIn.problem);
    await this.options.rollouts?.answered(checkedIn.value.update ?? null, reports);
    this.options.supportOffers?.offered(checkedIn.value.support ?? null);

    const at = new Date(this.now).toISOString();
    const record = this.record!;
    if (record.status !== 'accepted') log.info('the fleet server accepted this headset', { server: config.serverUrl });
    await this.remember({ ...record, status: 'accepted', acceptedAt: record.acceptedAt ?? at, lastCheckInAt: at });
    this.backoff.reset();
    this.publish({ state: 'registered', problem: null });
    this.schedule(checkedIn.value.nextCheckInSeconds * 1000);
  }

  /** The journal says this server accepted (or is deciding on, or refused) exactly this device id and key. */
  private registeredAs(serverUrl: string, deviceId: string, publicKey: string): boolean {
    const r = this.record;
    return r !== undefined && r.serverUrl === serverUrl && r.deviceId === deviceId && r.publicKey === publicKey;
  }

  private async onProblem(problem: RegistrationProblem & { fleetCode?: string }): Promise<void> {
    const { log } = this.options;
    const code = problem.fleetCode;
    if (code === 'REGISTRATION_PENDING') {
      if (this.record?.status !== 'pending') await this.remember({ ...this.record!, status: 'pending' });
      this.backoff.reset();
      this.publish({ state: 'pending', problem: { code: problem.code, message: problem.message } });
      this.schedule(this.options.pendingPollMs ?? PENDING_POLL_MS);
      return;
    }
    if (code === 'DEVICE_REFUSED') {
      if (this.record && this.record.status !== 'refused') await this.remember({ ...this.record, status: 'refused' });
      log.warn('the fleet server refuses this headset', { server: this.options.config?.serverUrl });
      this.backoff.reset();
      this.publish({ state: 'refused', problem: { code: problem.code, message: problem.message } });
      this.schedule(this.options.refusedPollMs ?? REFUSED_POLL_MS);
      return;
    }
    if (code !== undefined && FORGOTTEN.has(code) && this.record) {
      // Registered again at the next attempt; the journal keeps nothing the server no longer knows.
      log.warn('the fleet server does not know this headset’s key: registering again', { code });
      this.record = undefined;
    }
    this.fail({ code: problem.code, message: problem.message });
  }

  /** A failed attempt: shown with its reason, tried again after a growing wait. */
  private fail(problem: RegistrationProblem): void {
    if (this.stopped) return;
    const previous = this.status.current()?.problem?.code;
    if (previous !== problem.code) this.options.log.warn('fleet server not reached', { code: problem.code, message: problem.message });
    this.publish({ state: 'retrying', problem });
    this.schedule(this.backoff.next());
  }

  private async remember(record: RegistrationRecord): Promise<void> {
    await this.options.journal.save(record);
    this.record = record;
  }

  private publish(change: Partial<RegistrationStatus>): void {
    const current = this.status.current()!;
    const record = this.record;
    const { identity } = this.options;
    const ours = record !== undefined && record.publicKey === identity.get().publicKey && record.serverUrl === current.serverUrl;
    const next: RegistrationStatus = {
      ...current,
      ...change,
      accepted: ours && record.status === 'accepted',
      lastCheckInAt: ours ? record.lastCheckInAt : null,
    };
    if (JSON.stringify(next) !== JSON.stringify(current)) this.status.set(next);
  }
}
