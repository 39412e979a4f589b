import type {
  NetworkActor,
  NetworkAudit,
  NetworkMode,
  NetworkOverview,
  NetworkScan,
  NetworkStatus,
  SavedNetwork,
  WifiNetwork,
} from '../api/contract/network.js';
import { PRIORITY_MAX, SUPPORT_PRIORITY } from '../api/contract/network.js';
import type { StateSource } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { StateChannel } from '../api/stateChannel.js';
import type { SecretRegistrar, Unregister } from '../secrets/SecretRegistry.js';
import type { AccessPoint, ConnectivityState, EthernetState, NetworkAuditTrail, NetworkBackend, ModeLatch, WifiProfile } from './ports.js';
import { checkSsid, checkWpaPassword, bytesToHex, signalBars, ssidFromHex } from './ssid.js';

export const DEFAULT_SCAN_FRESH_MS = 30_000;

export interface NetworkProvisionerOptions {
  backend: NetworkBackend;
  latch: ModeLatch;
  audit: NetworkAuditTrail;
  secrets: SecretRegistrar;
  /** The online state as the watcher keeps it (with its `since`). */
  status: StateSource<NetworkStatus>;
  /** The hotspot's name (e.g. from the serial number) and a source of its random password. */
  hotspot: { ssid: string; generatePassword: () => string };
  scanFreshMs?: number;
  now?: () => number;
  /** Reads the state again after a change (headsetd: the watcher's read, which refreshes through this class). */
  afterChange?: () => Promise<unknown>;
}

export interface ConnectInput {
  ssid: string;
  password?: string;
  hidden: boolean;
  security?: 'open' | 'wpa2-personal' | 'wpa3-personal';
  priority?: number;
  support: boolean;
  via: NetworkActor;
}

const NO_ETHERNET: EthernetState = { present: false, carrier: false, connected: false, address: null };

/**
 * The network policy over a network stack: the latch's mode at boot (hotspot XOR client), scans
 * reused while fresh, joining with the checks the wearer can act on, saved networks by priority
 * with support networks on top (priority 999, power saving off), and an audit entry for every
 * change (who, what, result; never a secret). Changes run one at a time. Scope checks (`unlocked`)
 * are the router's; this class never sees a connection that failed them.
 */
export class NetworkProvisioner {
  readonly overview = new StateChannel<NetworkOverview>();
  private mode: NetworkMode = 'client';
  private hotspotPassword: string | undefined;
  private hotspotActive = false;
  private lastScan: { at: number; points: AccessPoint[] } | undefined;
  private connecting: string | null = null;
  private wifi: NetworkOverview['wifi'] = null;
  private ethernet: EthernetState = NO_ETHERNET;
  private connectivity: ConnectivityState = 'offline';
  private changes: Promise<unknown> = Promise.resolve();
  /** Calls wait for the latch's decision at boot (the mode they act in). */
  private started: Promise<void> = Promise.resolve();
  private readonly held = new Map<string, Unregister>();
  private readonly scanFreshMs: number;
  private readonly now: () => number;

  constructor(private readonly options: NetworkProvisionerOptions) {
    this.scanFreshMs = options.scanFreshMs ?? DEFAULT_SCAN_FRESH_MS;
    this.now = options.now ?? Date.now;
    options.status.subscribe(() => this.publish());
  }

  /** At every boot: the latch decides. Hotspot: scan first (one radio cannot scan as an access point), then raise it. */
  start(): Promise<void> {
    this.started = this.boot();
    return this.started;
  }

  private async boot(): Promise<void> {
    this.mode = await this.options.latch.read();
    if (this.mode === 'hotspot') {
      await this.scanNow(true).catch(() => undefined);
      const password = this.options.hotspot.generatePassword();
      this.hotspotPassword = password;
      this.options.secrets.register(password, 'hotspot password');
      await this.audited('system', 'hotspot-start', this.options.hotspot.ssid, 'wpa2-personal', () =>
        this.options.backend.startHotspot({ ssid: this.options.hotspot.ssid, password }),
      );
      this.hotspotActive = true;
    } else {
      await this.audited('system', 'mode', null, 'client', () => this.options.backend.stopHotspot());
    }
    await this.refresh();
  }

  currentMode(): NetworkMode {
    return this.mode;
  }

  /** After a change: the owner's read (the watcher, so network.changed follows at once), else a refresh. */
  private async changed(): Promise<void> {
    if (this.options.afterChange) await this.options.afterChange();
    else await this.refresh();
  }

  /** Reads the stack again (Wi-Fi joined, Ethernet, connectivity) and pushes the overview if it changed. */
  async refresh(): Promise<ConnectivityState> {
    const [connectivity, ethernet, active, profiles] = await Promise.all([
      this.options.backend.connectivity(),
      this.options.backend.ethernet().catch(() => NO_ETHERNET),
      this.mode === 'client' ? this.options.backend.activeWifi().catch(() => null) : Promise.resolve(null),
      this.mode === 'client' ? this.options.backend.profiles().catch(() => [] as WifiProfile[]) : Promise.resolve([] as WifiProfile[]),
    ]);
    this.connectivity = connectivity;
    this.ethernet = ethernet;
    const profile = active ? (profiles.find((p) => p.id === active.profileId) ?? profiles.find((p) => p.ssidHex === active.ssidHex)) : undefined;
    this.wifi = active
      ? {
          ssid: ssidFromHex(active.ssidHex),
          ssidHex: active.ssidHex,
          signal: active.signal,
          savedId: profile?.id ?? null,
          support: profile?.powerSaveOff ?? false,
        }
      : null;
    this.publish();
    return connectivity;
  }

  current(): NetworkOverview {
    return this.overview.current() ?? this.compose();
  }

  /** The overview once the latch's decision at boot is taken. */
  async currentAfterStart(): Promise<NetworkOverview> {
    await this.started.catch(() => undefined);
    return this.current();
  }

  async scan(rescan: boolean): Promise<NetworkScan> {
    await this.started.catch(() => undefined);
    let cached = true;
    // In hotspot mode the radio is an access point: the scan taken before it came up is all there is.
    if (this.mode === 'client' && (rescan || !this.isFresh())) {
      await this.scanNow(rescan);
      cached = false;
    }
    const profiles = this.mode === 'client' ? await this.options.backend.profiles() : [];
    return {
      networks: this.merge(this.lastScan?.points ?? [], profiles),
      scannedAt: this.lastScan ? new Date(this.lastScan.at).toISOString() : null,
      cached,
      freshForMs: this.scanFreshMs,
    };
  }

  async saved(): Promise<SavedNetwork[]> {
    await this.started.catch(() => undefined);
    if (this.mode === 'hotspot') return [];
    const [profiles, active] = await Promise.all([this.options.backend.profiles(), this.options.backend.activeWifi().catch(() => null)]);
    return sortSaved(profiles).map((p) => toSaved(p, active));
  }

  connect(input: ConnectInput): Promise<NetworkOverview> {
    return this.serially(async () => {
      // Registered before anything could print it; kept while the process lives (NetworkManager keeps it saved).
      if (input.password !== undefined && input.password.length >= 4 && !this.held.has(input.password)) {
        this.held.set(input.password, this.options.secrets.register(input.password, `wi-fi password`));
      }
      const detail = [input.hidden ? 'hidden' : null, input.support ? 'support' : null].filter(Boolean).join(' ') || 'join';
      return this.audited(input.via, 'connect', input.ssid, detail, async () => {
        const ssidHex = bytesToHex(checkSsid(input.ssid));
        if (this.mode === 'hotspot') throw new AppError('NETWORK_HOTSPOT_MODE');
        const profiles = await this.options.backend.profiles();
        const existing = profiles.find((p) => p.ssidHex === ssidHex);
        const security = await this.securityFor(input, ssidHex);
        if (security === 'open') {
          if (input.password) throw new AppError('NETWORK_PASSWORD_INVALID', 'An open network takes no password.', { length: input.password.length });
        } else if (input.password !== undefined) {
          checkWpaPassword(input.password);
        } else if (!existing?.hasPassword) {
          throw new AppError('NETWORK_PASSWORD_REQUIRED');
        }
        const priority = input.support ? SUPPORT_PRIORITY : (input.priority ?? topPriority(profiles, existing?.id));
        this.connecting = input.ssid;
        this.publish();
        let joined: { profileId: string };
        try {
          joined = await this.options.backend.join({
            ssidHex,
            security,
            password: input.password,
            hidden: input.hidden,
            priority,
            powerSaveOff: input.support || (existing?.powerSaveOff ?? false),
            profileId: existing?.id,
          });
        } catch (error) {
          // A network gone from the air: the scan that listed it is stale, scan afresh next time.
          if (error instanceof AppError && (error.code === 'NETWORK_VANISHED' || error.code === 'NETWORK_NOT_FOUND')) this.lastScan = undefined;
          throw error;
        } finally {
          this.connecting = null;
        }
        // Connected once the join resolved: answer at once with it, and read the rest (online state,
        // Ethernet) behind the answer, as the next poll would.
        this.wifi = {
          ssid: input.ssid,
          ssidHex,
          signal: this.strongest(ssidHex)?.signal ?? 0,
          savedId: joined.profileId,
          support: input.support || (existing?.powerSaveOff ?? false),
        };
        this.publish();
        void this.changed().catch(() => undefined);
        return this.current();
      });
    });
  }

  setPriority(id: string, priority: number, via: NetworkActor): Promise<SavedNetwork[]> {
    return this.serially(async () => {
      const profile = await this.profile(id, via, 'set-priority', `priority ${priority}`);
      await this.audited(via, 'set-priority', ssidFromHex(profile.ssidHex), `priority ${priority}`, () =>
        this.options.backend.modify(id, { priority }),
      );
      return this.saved();
    });
  }

  setSupport(id: string, support: boolean, via: NetworkActor): Promise<SavedNetwork[]> {
    return this.serially(async () => {
      const profile = await this.profile(id, via, 'set-support', support ? 'support on' : 'support off');
      // Unmarked, a support network drops below the wearer's own choices' top.
      const priority = support ? SUPPORT_PRIORITY : profile.priority >= SUPPORT_PRIORITY ? 0 : profile.priority;
      await this.audited(via, 'set-support', ssidFromHex(profile.ssidHex), support ? 'support on' : 'support off', () =>
        this.options.backend.modify(id, { priority, powerSaveOff: support }),
      );
      return this.saved();
    });
  }

  forget(id: string, via: NetworkActor): Promise<SavedNetwork[]> {
    return this.serially(async () => {
      const profile = await this.profile(id, via, 'forget', 'forget');
      await this.audited(via, 'forget', ssidFromHex(profile.ssidHex), 'forget', () => this.options.backend.remove(id));
      await this.changed().catch(() => undefined);
      return this.saved();
    });
  }

  /**
   * A configuration reset of the network settings (the reset capability's port): every saved
   * network the wearer, the CLI or support added is forgotten with its key, except support
   * networks, the operator's way back to the headset (kept like the support relay), which go back
   * to their defaults (priority 999, power saving off). The hotspot is the latch's, made anew at
   * each boot: untouched. Each change is audited as the system's, unless `quiet` (inside a factory
   * reset, whose logs were just erased and are checked for being empty). Run again after a power
   * cut, it finishes the job: forgetting is idempotent.
   */
  resetToDefaults(options: { quiet?: boolean } = {}): Promise<{ forgotten: number; kept: number }> {
    return this.serially(async () => {
      const detail = 'configuration reset';
      const change = <T>(action: 'forget' | 'set-support', ssid: string, run: () => Promise<T>) =>
        options.quiet ? run() : this.audited('system', action, ssid, action === 'forget' ? detail : `${detail}: support network kept`, run);
      let forgotten = 0;
      let kept = 0;
      for (const profile of await this.options.backend.profiles()) {
        const ssid = ssidFromHex(profile.ssidHex);
        if (profile.powerSaveOff) {
          kept++;
          if (profile.priority !== SUPPORT_PRIORITY)
            await change('set-support', ssid, () => this.options.backend.modify(profile.id, { priority: SUPPORT_PRIORITY, powerSaveOff: true }));
          continue;
        }
        await change('forget', ssid, () => this.options.backend.remove(profile.id));
        forgotten++;
      }
      // Whatever the scan said was saved is stale now.
      this.lastScan = undefined;
      await this.changed().catch(() => undefined);
      return { forgotten, kept };
    });
  }

  async hotspotSecret(): Promise<{ ssid: string; password: string }> {
    await this.started.catch(() => undefined);
    if (this.mode !== 'hotspot' || !this.hotspotPassword) throw new AppError('NETWORK_NOT_HOTSPOT');
    return { ssid: this.options.hotspot.ssid, password: this.hotspotPassword };
  }

  auditLog(query: { limit: number; before?: string }, signal?: AbortSignal): Promise<NetworkAudit> {
    return this.options.audit.list(query, signal);
  }

  /** The saved profile a change names; an unknown one is a failed change, audited as such. */
  private async profile(id: string, who: NetworkActor, action: 'set-priority' | 'set-support' | 'forget', detail: string): Promise<WifiProfile> {
    const profile = (await this.options.backend.profiles()).find((p) => p.id === id);
    if (!profile) {
      this.options.audit.record({ who, action, ssid: null, detail, result: 'failed', code: 'NETWORK_UNKNOWN_PROFILE' });
      throw new AppError('NETWORK_UNKNOWN_PROFILE', undefined, { id });
    }
    return profile;
  }

  /** The security to join with: the wearer's for a hidden network, the scan's otherwise (NOT_FOUND when not in reach). */
  private async securityFor(input: ConnectInput, ssidHex: string): Promise<'open' | 'wpa2-personal' | 'wpa3-personal'> {
    if (input.hidden) return input.security ?? (input.password ? 'wpa2-personal' : 'open');
    let point = this.isFresh() ? this.strongest(ssidHex) : undefined;
    if (!point) {
      await this.scanNow(true);
      point = this.strongest(ssidHex);
    }
    if (!point) throw new AppError('NETWORK_NOT_FOUND', undefined, { ssid: input.ssid });
    if (point.security === 'enterprise' || point.security === 'wep')
      throw new AppError('NETWORK_SECURITY_UNSUPPORTED', undefined, { security: point.security });
    return point.security;
  }

  private strongest(ssidHex: string): AccessPoint | undefined {
    return this.lastScan?.points.filter((p) => p.ssidHex === ssidHex).sort((a, b) => b.signal - a.signal)[0];
  }

  private isFresh(): boolean {
    return this.lastScan !== undefined && this.now() - this.lastScan.at < this.scanFreshMs;
  }

  private async scanNow(rescan: boolean): Promise<void> {
    const points = await this.options.backend.scan(rescan);
    this.lastScan = { at: this.now(), points };
  }

  private merge(points: AccessPoint[], profiles: WifiProfile[]): WifiNetwork[] {
    const bySsid = new Map<string, AccessPoint & { connected: boolean }>();
    for (const point of points) {
      if (point.ssidHex === '') continue; // hidden access points have no name to show
      const seen = bySsid.get(point.ssidHex);
      const connected = point.inUse || (seen?.connected ?? false);
      if (!seen || point.signal > seen.signal) bySsid.set(point.ssidHex, { ...point, connected });
      else seen.connected = connected;
    }
    return [...bySsid.values()]
      .sort((a, b) => b.signal - a.signal)
      .map((point) => {
        const profile = profiles.find((p) => p.ssidHex === point.ssidHex);
        return {
          ssid: ssidFromHex(point.ssidHex),
          ssidHex: point.ssidHex,
          signal: point.signal,
          bars: signalBars(point.signal),
          security: point.security,
          saved: profile !== undefined,
          savedId: profile?.id ?? null,
          connected: point.connected,
          support: profile?.powerSaveOff ?? false,
        };
      });
  }

  private compose(): NetworkOverview {
    return {
      status: this.options.status.current() ?? { state: this.connectivity, since: new Date(this.now()).toISOString() },
      mode: this.mode,
      wifi: this.wifi,
      ethernet: this.ethernet,
      hotspot: this.mode === 'hotspot' ? { ssid: this.options.hotspot.ssid, active: this.hotspotActive, security: 'wpa2-personal' } : null,
      connecting: this.connecting,
    };
  }

  private publish(): void {
    const next = this.compose();
    if (JSON.stringify(next) !== JSON.stringify(this.overview.current())) this.overview.set(next);
  }

  private serially<T>(run: () => Promise<T>): Promise<T> {
    const after = this.changes.then(() => this.started).catch(() => undefined);
    const result = after.then(run);
    this.changes = result.catch(() => undefined);
    return result;
  }

  /** Runs a change and writes its audit entry, whatever the outcome (the code when it failed). */
  private async audited<T>(
    who: NetworkActor | 'system',
    action: Parameters<NetworkAuditTrail['record']>[0]['action'],
    ssid: string | null,
    detail: string,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      const result = await run();
      this.options.audit.record({ who, action, ssid, detail, result: 'ok', code: null });
      return result;
    } catch (error) {
      this.options.audit.record({ who, action, ssid, detail, result: 'failed', code: error instanceof AppError ? error.code : 'INTERNAL' });
      throw error;
    }
  }
}

/** Support networks first, then higher priority, then by name. */
export function sortSaved(profiles: readonly WifiProfile[]): WifiProfile[] {
  return [...profiles].sort(
    (a, b) =>
      Number(b.powerSaveOff) - Number(a.powerSaveOff) || b.priority - a.priority || ssidFromHex(a.ssidHex).localeCompare(ssidFromHex(b.ssidHex)),
  );
}

function toSaved(profile: WifiProfile, active: { profileId: string | null; ssidHex: string } | null): SavedNetwork {
  return {
    id: profile.id,
    ssid: ssidFromHex(profile.ssidHex),
    ssidHex: profile.ssidHex,
    security: profile.security,
    priority: profile.priority,
    hidden: profile.hidden,
    support: profile.powerSaveOff,
    hasPassword: profile.hasPassword,
    connected: active !== null && (active.profileId === profile.id || (active.profileId === null && active.ssidHex === profile.ssidHex)),
  };
}

/** A newly joined network goes to the top of the wearer's own choices (below support networks). */
function topPriority(profiles: readonly WifiProfile[], except: string | undefined): number {
  const others = profiles.filter((p) => p.id !== except && !p.powerSaveOff).map((p) => p.priority);
  return Math.min(Math.max(0, ...others.map((p) => p + 1)), PRIORITY_MAX - 1);
}
