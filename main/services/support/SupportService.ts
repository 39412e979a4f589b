import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SupportEndReason, SupportProblem, SupportStatus } from '../../../src/api/contract/support.js';
import { AppError } from '../../../src/api/errors.js';
import { ReconnectBackoff, type ReconnectBackoffOptions } from '../../../src/api/reconnectBackoff.js';
import { StateChannel } from '../../../src/api/stateChannel.js';
import type { SecretRedactor, SecretRegistrar, Unregister } from '../../../src/secrets/SecretRegistry.js';
import { SessionLimits, sessionMinutes } from '../../../src/support/SessionLimits.js';
import { parseSftpLogMessage, parseViewLogin } from '../../../src/support/viewLogLines.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import { readFileIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { RelayDirectory, SupportRelay, SupportViewSources } from './ports.js';
import { commandLineOf, killProcessTree } from './processTree.js';
import { pinnedKnownHosts, ReverseTunnel, type TunnelEnd } from './ReverseTunnel.js';
import { keyFingerprint, writeSessionKey } from './sessionKeys.js';
import { missingForSupport } from './supportAvailability.js';
import { SupportView } from './SupportView.js';
import { SyslogSocket } from './SyslogSocket.js';
import { ViewSshd } from './ViewSshd.js';
import { stopViewUnit, ViewSshdUnit } from './ViewSshdUnit.js';

export const DEFAULT_IDLE_MINUTES = 15;
export const SUPPORT_ACCOUNT = 'headset-support';
/** Relay down: try again after 1 s, doubling to a minute, with jitter. */
export const RELAY_BACKOFF: ReconnectBackoffOptions = { baseMs: 1000, maxMs: 60_000, jitter: 0.5 };

export interface SupportServiceOptions {
  relays: RelayDirectory;
  sources: SupportViewSources;
  /** A root-owned folder (0755 all the way up, as sshd's chroot demands) for the session and its view. */
  runDir: string;
  /**
   * The view's sshd as a systemd unit (headset-support-view@.service) instead of headsetd's child, so
   * headsetd needs no root: the linux profile. The run folder is then the image's (native/image/
   * tmpfiles.d: view/ root-owned with folders of headsetd's in it, session/ and keys/ headsetd's), and
   * headsetd empties those folders instead of making and removing them.
   */
  viewUnit?: { systemctlPath: string };
  /** headsetd's state: the record of a running session, so a restart knows one was cut short. */
  stateDir: string;
  secrets: SecretRegistrar & SecretRedactor;
  log: SubsystemLogger;
  account?: string;
  sshPath?: string;
  sshdPath?: string;
  idleMinutes?: number;
  /** How long a minute is (tests and the benchmark shorten it; the device never does). */
  minuteMs?: number;
  keepalive?: { intervalSeconds: number; countMax: number };
  backoff?: ReconnectBackoffOptions;
  /** How often the view takes in new logs and records. */
  refreshMs?: number;
  /** The clock the limits run on: it only moves forward, whatever the wall clock does. */
  monotonic?: () => number;
}

interface LiveSession {
  id: string;
  startedBy: 'settings' | 'switch';
  reason: string | null;
  relay: SupportRelay;
  since: string;
  durationMinutes: number;
  limits: SessionLimits;
  sessionDir: string;
  state: 'connecting' | 'active' | 'reconnecting';
  relayPort: number | null;
  attempt: number;
  retryInMs: number | null;
  problem: SupportProblem | null;
  reads: number;
  viewers: Map<string, string>;
  keyFile: string;
  knownHosts: string;
  sshd: ViewSshd | ViewSshdUnit;
  syslog: SyslogSocket;
  view: SupportView;
  tunnel?: ReverseTunnel;
  backoff: ReconnectBackoff;
  timers: Set<NodeJS.Timeout>;
  unregister: Unregister[];
  revoke?: () => Promise<void>;
  ending?: Promise<void>;
}

/**
 * Remote support on the headset: a session is a view (SupportView) served read-only by a private
 * sshd on 127.0.0.1 (ViewSshd), reached through a reverse tunnel to the relay (ReverseTunnel) made
 * with a key of its own. The headset keeps the limits (duration, idle) on a monotonic clock, tries
 * the relay again with backoff when it drops, and logs under `support` whatever happens: start,
 * end and why, who connected, every file read.
 */
export class SupportService {
  readonly status = new StateChannel<SupportStatus>();
  private session: LiveSession | undefined;
  private starting = false;
  private configured = false;
  private switchOn = false;
  private lastEnded: SupportStatus['lastEnded'] = null;
  private readonly account: string;
  private readonly sshPath: string;
  private readonly sshdPath: string;
  private readonly minuteMs: number;
  private readonly monotonic: () => number;

  constructor(private readonly options: SupportServiceOptions) {
    this.account = options.account ?? SUPPORT_ACCOUNT;
    this.sshPath = options.sshPath ?? '/usr/bin/ssh';
    this.sshdPath = options.sshdPath ?? '/usr/sbin/sshd';
    this.minuteMs = options.minuteMs ?? 60_000;
    this.monotonic = options.monotonic ?? (() => performance.now());
  }

  private get recordPath(): string {
    return join(this.options.stateDir, 'support-session.json');
  }

  /** At start-up: a session recorded but not ended was cut short by a restart (or a crash); clean it up. */
  async load(): Promise<void> {
    this.configured = (await this.options.relays.relay()) !== null;
    const bytes = await readFileIfExists(this.recordPath).catch(() => undefined);
    if (bytes !== undefined) {
      let record: { id?: string; dir?: string } = {};
      try {
        record = JSON.parse(bytes.toString('utf8')) as typeof record;
      } catch {
        // unreadable: still clean up below
      }
      if (record.dir) await this.cleanUpLeftovers(record.dir, record.id);
      const at = new Date().toISOString();
      this.lastEnded = { id: record.id ?? 'unknown', at, reason: 'restart', problem: null };
      this.options.log.info('support session ended', { session: record.id, reason: 'restart' });
      await unlink(this.recordPath).catch(() => undefined);
    }
    this.publish();
  }

  /** The relays changed (the fleet server offered a session, or it ended): says again whether support can start. */
  async relaysChanged(): Promise<void> {
    const configured = (await this.options.relays.relay()) !== null;
    if (configured === this.configured) return;
    this.configured = configured;
    this.publish();
  }

  current(): SupportStatus {
    return this.snapshot();
  }

  setSwitch(on: boolean): void {
    if (on === this.switchOn) return;
    this.switchOn = on;
    this.publish();
  }

  async start(request: { by: 'settings' | 'switch'; durationMinutes?: number; reason?: string }): Promise<SupportStatus> {
    const minutes = sessionMinutes(request.durationMinutes);
    if (this.session || this.starting) throw new AppError('SUPPORT_ALREADY_ACTIVE');
    const relay = await this.options.relays.relay();
    this.configured = relay !== null;
    if (!relay) throw new AppError('SUPPORT_NOT_CONFIGURED');
    const missing = await missingForSupport({ account: this.account, sshPath: this.sshPath, sshdPath: this.sshdPath });
    if (missing.length) throw new AppError('SUPPORT_UNAVAILABLE', undefined, { missing });
    this.starting = true;
    try {
      await this.open(relay, minutes, request.by, request.reason?.trim() || null);
    } finally {
      this.starting = false;
    }
    return this.snapshot();
  }

  async stop(reason: SupportEndReason = 'wearer'): Promise<SupportStatus> {
    if (this.session) await this.end(this.session, reason);
    return this.snapshot();
  }

  private async open(relay: SupportRelay, minutes: number, by: 'settings' | 'switch', reason: string | null): Promise<void> {
    const id = randomBytes(6).toString('hex');
    const root = this.options.runDir;
    const sessionDir = join(root, 'session');
    const viewDir = join(root, 'view');
    const unit = this.options.viewUnit;
    if (unit) {
      await emptyFolder(sessionDir);
    } else {
      await mkdir(root, { recursive: true, mode: 0o755 });
      await chmod(root, 0o755);
      await rm(sessionDir, { recursive: true, force: true });
      await mkdir(sessionDir, { mode: 0o700 });
      await mkdir(join(root, 'keys'), { recursive: true, mode: 0o755 });
    }
    await writeFileAtomic(this.recordPath, JSON.stringify({ id, dir: root, startedAt: new Date().toISOString() }), { mode: 0o600 });
    const now = this.monotonic();
    // Read by sshd as the support account, so not in the 0700 session folder.
    const viewers = join(root, 'keys', 'viewers');
    const settings = {
      hostKey: join(sessionDir, 'view_host_ed25519'),
      authorizedKeys: viewers,
      user: this.account,
      viewDir,
      clientAliveInterval: 15,
    };
    const onLine = (line: string) => this.onSshdLine(session, line);
    const onExit = (code: number | null) => {
      if (this.session === session) void this.fail(session, `the view's sshd exited (${code ?? 'its unit stopped'})`);
    };
    const sshd = unit
      ? new ViewSshdUnit({
          systemctlPath: unit.systemctlPath,
          sessionId: id,
          configPath: join(sessionDir, 'sshd_config'),
          logSocketPath: join(sessionDir, 'sshd-log'),
          settings,
          onLine,
          onExit,
        })
      : new ViewSshd(this.sshdPath, join(sessionDir, 'sshd_config'), settings, onLine, onExit);
    // eslint-disable-next-line prefer-const -- the sshd's and the socket's callbacks need the session they belong to
    let session: LiveSession;
    session = {
      id,
      startedBy: by,
      reason,
      relay,
      since: new Date().toISOString(),
      durationMinutes: minutes,
      limits: new SessionLimits(now, minutes * this.minuteMs, (this.options.idleMinutes ?? DEFAULT_IDLE_MINUTES) * this.minuteMs),
      sessionDir,
      state: 'connecting',
      relayPort: null,
      attempt: 0,
      retryInMs: null,
      problem: null,
      reads: 0,
      viewers: new Map(),
      keyFile: join(sessionDir, 'tunnel_ed25519'),
      knownHosts: join(sessionDir, 'known_hosts'),
      backoff: new ReconnectBackoff(this.options.backoff ?? RELAY_BACKOFF),
      timers: new Set(),
      unregister: [],
      view: new SupportView(viewDir, this.options.sources, this.options.secrets, { prepared: unit !== undefined }),
      syslog: new SyslogSocket(join(viewDir, 'dev', 'log'), (message) => this.onSftpMessage(session, message)),
      sshd,
    };
    this.session = session;
    try {
      // The key first: registered as a secret before anything could print it.
      const key = await writeSessionKey(session.keyFile, `headset-support-${id}`);
      for (const line of key.secretLines) session.unregister.push(this.options.secrets.register(line, 'support session key'));
      const hostKey = await writeSessionKey(join(sessionDir, 'view_host_ed25519'), 'headset-view');
      for (const line of hostKey.secretLines) session.unregister.push(this.options.secrets.register(line, 'support view host key'));
      await writeFile(session.knownHosts, pinnedKnownHosts(relay), { mode: 0o600 });
      await writeFile(viewers, relay.viewers.map((v) => `restrict ${v.key.split(/\s+/).slice(0, 2).join(' ')}`).join('\n') + '\n', { mode: 0o644 });
      await session.view.create();
      await session.syslog.listen();
      // The relay lets the key in while the view's sshd starts: both take a network round or a process start.
      const [revoke] = await Promise.all([this.options.relays.authorize(relay, key.publicKeyLine, id), session.sshd.start()]);
      session.revoke = revoke;
    } catch (error) {
      this.options.log.error('support session could not start', { session: id, error: (error as Error).message });
      await this.end(session, 'failed');
      throw new AppError('SUPPORT_UNAVAILABLE', undefined, { reason: (error as Error).message });
    }
    this.options.log.info('support session started', {
      session: id,
      by,
      reason,
      minutes,
      relay: relay.name,
      relayAddress: `${relay.host}:${relay.port}`,
    });
    this.connect(session);
    this.scheduleLimits(session);
    const refresh = setInterval(() => void session.view.refresh().catch(() => undefined), this.options.refreshMs ?? 10_000);
    session.timers.add(refresh as unknown as NodeJS.Timeout);
    this.publish();
  }

  private connect(session: LiveSession): void {
    if (this.session !== session) return;
    session.retryInMs = null;
    const tunnel = new ReverseTunnel(
      {
        sshPath: this.sshPath,
        relay: session.relay,
        keyFile: session.keyFile,
        knownHosts: session.knownHosts,
        localPort: session.sshd.port,
        serverAliveInterval: this.options.keepalive?.intervalSeconds ?? 15,
        serverAliveCountMax: this.options.keepalive?.countMax ?? 3,
        connectTimeout: 10,
      },
      (relayPort) => {
        if (this.session !== session) return;
        session.state = 'active';
        session.relayPort = relayPort;
        session.attempt = 0;
        session.problem = null;
        session.backoff.reset();
        this.options.log.info('support tunnel up', { session: session.id, relayPort });
        this.publish();
      },
      (end) => this.onTunnelEnd(session, end),
    );
    session.tunnel = tunnel;
    tunnel.open();
  }

  private onTunnelEnd(session: LiveSession, end: TunnelEnd): void {
    if (this.session !== session || session.ending) return;
    session.tunnel = undefined;
    session.problem = end.problem;
    session.relayPort = null;
    if (end.terminal) {
      this.options.log.error('support tunnel refused for good', { session: session.id, problem: end.problem, detail: end.detail });
      void this.end(session, end.problem === 'relay-host-key' ? 'relay-host-key' : 'failed');
      return;
    }
    session.attempt++;
    const wait = session.backoff.next();
    session.state = 'reconnecting';
    session.retryInMs = wait;
    this.options.log.warn('support tunnel down', {
      session: session.id,
      problem: end.problem,
      attempt: session.attempt,
      retryInMs: wait,
      detail: end.detail,
    });
    this.publish();
    const timer = setTimeout(() => {
      session.timers.delete(timer);
      this.connect(session);
      this.publish();
    }, wait);
    session.timers.add(timer);
  }

  /** One timer for the nearer limit, checked on the monotonic clock when it fires. */
  private scheduleLimits(session: LiveSession): void {
    const wait = Math.max(10, session.limits.nextDeadlineInMs(this.monotonic()));
    const timer = setTimeout(
      () => {
        session.timers.delete(timer);
        if (this.session !== session) return;
        const expired = session.limits.expired(this.monotonic());
        if (expired) void this.end(session, expired);
        else this.scheduleLimits(session);
      },
      Math.min(wait, 2 ** 31 - 1),
    );
    session.timers.add(timer);
  }

  private onSshdLine(session: LiveSession, line: string): void {
    const login = parseViewLogin(line);
    if (login) {
      const viewer = session.relay.viewers.find((v) => keyFingerprint(v.key) === login.fingerprint);
      const name = viewer?.name ?? 'unknown key';
      session.viewers.set(login.port, name);
      session.limits.touch(this.monotonic());
      this.options.log.info('support viewer connected', { session: session.id, viewer: name, fingerprint: login.fingerprint });
      this.publish();
      return;
    }
    const left = /^(?:Disconnected from user \S+|Received disconnect from|Connection closed by(?: authenticating user \S+)?) \S+ port (\d+)/.exec(
      line,
    );
    if (left && session.viewers.has(left[1]!)) {
      const name = session.viewers.get(left[1]!);
      session.viewers.delete(left[1]!);
      this.options.log.info('support viewer left', { session: session.id, viewer: name });
      this.publish();
    }
  }

  private onSftpMessage(session: LiveSession, message: string): void {
    const action = parseSftpLogMessage(message);
    if (!action || this.session !== session) return;
    session.limits.touch(this.monotonic());
    const id = session.id;
    switch (action.op) {
      case 'read':
        session.reads++;
        this.options.log.info('support read a file', { session: id, path: action.path, bytes: action.bytes });
        this.publish();
        break;
      case 'list':
        this.options.log.info('support listed a folder', { session: id, path: action.path });
        break;
      case 'open':
        if (action.write)
          this.options.log.warn('support tried to change a file (refused: the view is read-only)', { session: id, path: action.path });
        break;
      case 'refused':
        this.options.log.warn('support request refused', { session: id, status: action.status });
        break;
      case 'session-opened':
      case 'session-closed':
        this.options.log.info(action.op === 'session-opened' ? 'support sftp session opened' : 'support sftp session closed', { session: id });
        break;
      case 'other':
        this.options.log.info('support sftp', { session: id, said: action.text.slice(0, 300) });
        break;
    }
  }

  private async fail(session: LiveSession, why: string): Promise<void> {
    this.options.log.error('support session failed', { session: session.id, why });
    await this.end(session, 'failed');
  }

  private end(session: LiveSession, reason: SupportEndReason): Promise<void> {
    session.ending ??= this.tearDown(session, reason);
    return session.ending;
  }

  private async tearDown(session: LiveSession, reason: SupportEndReason): Promise<void> {
    for (const timer of session.timers) clearTimeout(timer);
    session.timers.clear();
    const problem = session.problem;
    const root = this.options.runDir;
    await session.tunnel?.close().catch(() => undefined);
    await session.sshd.stop().catch(() => undefined);
    await session.syslog.close().catch(() => undefined);
    await session
      .revoke?.()
      .catch((error: Error) =>
        this.options.log.warn('support key could not be taken out at the relay', { session: session.id, error: error.message }),
      );
    if (this.options.viewUnit) await emptyFolder(join(root, 'session')).catch(() => undefined);
    else await rm(join(root, 'session'), { recursive: true, force: true });
    await session.view.remove().catch(() => undefined);
    await rm(join(root, 'keys', 'viewers'), { force: true });
    for (const unregister of session.unregister) unregister();
    await unlink(this.recordPath).catch(() => undefined);
    if (this.session === session) this.session = undefined;
    this.lastEnded = { id: session.id, at: new Date().toISOString(), reason, problem: reason === 'wearer' || reason === 'switch' ? null : problem };
    this.options.log.info('support session ended', { session: session.id, reason, problem: this.lastEnded.problem, reads: session.reads });
    this.publish();
  }

  /** Processes of a session cut short (their command lines name its folder) and its files. */
  private async cleanUpLeftovers(dir: string, id: string | undefined): Promise<void> {
    const unit = this.options.viewUnit;
    if (unit) {
      // headsetd cannot see the unit's processes; systemd ends them with their cgroup.
      if (id) await stopViewUnit(unit.systemctlPath, id);
      await emptyFolder(join(dir, 'session')).catch(() => undefined);
      await new SupportView(join(dir, 'view'), this.options.sources, this.options.secrets, { prepared: true }).remove().catch(() => undefined);
      await rm(join(dir, 'keys', 'viewers'), { force: true });
      return;
    }
    for (const entry of await readdir('/proc').catch(() => [])) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      if ((await commandLineOf(Number(entry))).includes(join(dir, 'session'))) await killProcessTree(Number(entry), 'SIGKILL');
    }
    await rm(join(dir, 'session'), { recursive: true, force: true });
    await rm(join(dir, 'view'), { recursive: true, force: true });
    await rm(join(dir, 'keys', 'viewers'), { force: true });
  }

  private snapshot(): SupportStatus {
    const session = this.session;
    const now = this.monotonic();
    return {
      state: session && !session.ending ? session.state : 'off',
      configured: this.configured,
      switchOn: this.switchOn,
      session:
        session && !session.ending
          ? {
              id: session.id,
              startedBy: session.startedBy,
              reason: session.reason,
              who: session.relay.name,
              viewers: [...new Set(session.viewers.values())],
              since: session.since,
              durationMinutes: session.durationMinutes,
              endsInMs: session.limits.endsInMs(now),
              idleEndsInMs: session.limits.idleEndsInMs(now),
              relay: `${session.relay.host}:${session.relay.port}`,
              relayPort: session.relayPort,
              reads: session.reads,
              attempt: session.attempt,
              retryInMs: session.retryInMs,
              problem: session.problem,
            }
          : null,
      lastEnded: this.lastEnded,
    };
  }

  private publish(): void {
    this.status.set(this.snapshot());
  }
}

/** Removes what a folder holds, keeping the folder (its owner and mode are the image's). */
async function emptyFolder(dir: string): Promise<void> {
  for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
}
