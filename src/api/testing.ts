import { ApiClient, ApiError } from './client.js';
import type {
  BootStatus,
  CallContext,
  CallHandlers,
  EventSources,
  HealthSnapshot,
  Identity,
  Mode,
  ModeState,
  UpdateStatus,
  TelemetryOutboxStatus,
  PrivacyStatus,
  Scope,
  StateSource,
  SystemInfo,
} from './contract.js';
import { AppError, type ErrorCode } from './errors.js';
import { createMemoryPortPair } from './memoryPort.js';
import { LogWriteBudget } from '../logging/logWriteBudget.js';
import { queryRecords, summarizeRecords } from '../logging/inMemoryLogs.js';
import { compileQuery } from '../logging/logQuery.js';
import type { LogRecord } from '../logging/logRecord.js';
import type { Port } from './port.js';
import type { HostMessage } from './protocol.js';
import { ApiRouter } from './router.js';
import { StateChannel } from './stateChannel.js';
import { decide, initialConsent, isGranted, privacyStatusOf } from '../telemetry/consent.js';

/**
 * Test helpers for the API: a fake device (a test double of the services only; router, client and
 * transports stay real), a router+client pair over in-memory ports, and a raw message log for
 * sending what a well-behaved client never would. Pure: no node:*, so any test may use it.
 */

export const sampleInfo: SystemInfo = { product: 'Headset Control', appVersion: '0.1.0', commit: 'abc1234', deviceProfile: 'simulated', model: 'Test Headset' };

export const sampleIdentity: Identity = {
  deviceId: '6f1c1f9e-3b0a-4f5e-9a4b-2a8f4c1d7e10',
  idSource: 'generated',
  keyAlgorithm: 'ed25519',
  publicKey: 'MCowBQYDK2VwAyEA',
  createdAt: '2025-01-01T00:00:00.000Z',
};

export function sampleHealth(cpuLoadPercent = 12, path = '/data'): HealthSnapshot {
  return {
    takenAt: '2025-01-01T00:00:00.000Z',
    cpuLoadPercent,
    temperatureC: 41.5,
    memory: { usedBytes: 1_000, totalBytes: 4_000 },
    disk: { usedBytes: 10_000, totalBytes: 64_000, path },
    battery: { percent: 76, charging: false },
    gps: { timeToLockMs: 28_400, locked: true, satellites: 9 },
  };
}

export const sampleBoot: BootStatus = {
  activeSlot: 'A',
  order: ['A', 'B'],
  slots: [
    { name: 'A', version: '1.0.0', bootable: true, triesLeft: 3, active: true },
    { name: 'B', version: null, bootable: false, triesLeft: 0, active: false },
  ],
  bootId: 'boot-1',
  bootCount: 1,
  fellBack: false,
};

/** A source that counts live subscriptions, so tests can see the router let go of them. */
export interface CountedSource<T> extends StateSource<T> {
  channel: StateChannel<T>;
  subscribers(): number;
}

function counted<T>(channel: StateChannel<T>): CountedSource<T> {
  let live = 0;
  return {
    channel,
    subscribers: () => live,
    current: () => channel.current(),
    subscribe(listener) {
      live++;
      const off = channel.subscribe(listener);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        live--;
        off();
      };
    },
  };
}

export interface FakeDevice {
  /** The device's mode; the router reads it on every call. */
  mode: Mode;
  /** false: the profile has no power control, so recovery.restart raises NOT_SUPPORTED. */
  canRestart: boolean;
  /** The entries the fake headset's log holds (logs.query and logs.summary read them). */
  logRecords: LogRecord[];
  /** Files exported to the USB stick; undefined: no stick is plugged in (logs.export fails). */
  usbStick: { fileName: string; lines: string[] }[] | undefined;
  handlers: CallHandlers;
  events: { 'health.changed': CountedSource<HealthSnapshot>; 'boot.changed': CountedSource<BootStatus>; 'mode.changed': CountedSource<ModeState>; 'update.changed': CountedSource<UpdateStatus>; 'privacy.changed': CountedSource<PrivacyStatus> };
}

/** A test double of the services behind the router; `overrides` replace single handlers. */
export function createFakeDevice(options: { mode?: Mode; overrides?: Partial<CallHandlers>; health?: HealthSnapshot | null } = {}): FakeDevice {
  const mode = options.mode ?? 'settings';
  // health: null is a service that has not taken its first sample yet.
  const health = options.health === null ? new StateChannel<HealthSnapshot>() : new StateChannel(options.health ?? sampleHealth());
  const events = {
    'health.changed': counted(health),
    'boot.changed': counted(new StateChannel(sampleBoot)),
    'mode.changed': counted(new StateChannel<ModeState>({ mode, reason: 'default', setupComplete: mode !== 'setup' })),
    'update.changed': counted(new StateChannel<UpdateStatus>(sampleUpdateStatus)),
    'privacy.changed': counted(new StateChannel<PrivacyStatus>(privacyStatusOf(initialConsent()))),
  };
  // The fake headset has no update repository: read-only calls answer, the rest say so.
  const unconfigured = () => {
    throw new AppError('UPDATE_NOT_CONFIGURED', 'No update repository is configured on this headset.');
  };
  // The fake keeps what the UI logs in memory, behind the device's real per-connection budget.
  const logBudget = new LogWriteBudget();
  let consent = initialConsent();
  const device: FakeDevice = {
    mode,
    logRecords: sampleLogRecords(),
    usbStick: [],
    canRestart: false,
    events,
    handlers: {
      'system.ping': ({ payload }) => ({ payload }),
      'system.info': () => sampleInfo,
      'identity.get': () => sampleIdentity,
      'boot.status': () => events['boot.changed'].channel.current()!,
      'health.snapshot': () => events['health.changed'].channel.current()!,
      'mode.get': () => events['mode.changed'].channel.current()!,
      'setup.complete': () => {
        const state: ModeState = { mode: 'settings', reason: 'setup-complete', setupComplete: true };
        device.mode = 'settings';
        events['mode.changed'].channel.set(state);
        return state;
      },
      'system.restart': () => {
        if (!device.canRestart) throw new AppError('NOT_SUPPORTED', 'This device profile cannot restart itself.');
        return { restarting: true as const };
      },
      'recovery.restart': () => {
        if (!device.canRestart) throw new AppError('NOT_SUPPORTED', 'This device profile cannot restart itself.');
        return { restarting: true as const };
      },
      'update.status': () => events['update.changed'].channel.current()!,
      'update.check': unconfigured,
      'update.download': unconfigured,
      'update.pause': unconfigured,
      'update.resume': unconfigured,
      'update.install': unconfigured,
      'update.restart': unconfigured,
      'update.rollback': unconfigured,
      'update.settings': (change) => {
        const status = { ...events['update.changed'].channel.current()! };
        status.settings = { ...status.settings, ...change };
        events['update.changed'].channel.set(status);
        return status;
      },
      'update.history': () => [],
      // Consent runs the real transitions (src/telemetry/consent.ts) on an in-memory state.
      'privacy.get': () => privacyStatusOf(consent),
      'privacy.set': (decision) => {
        consent = decide(consent, decision, new Date()).state;
        const status = privacyStatusOf(consent);
        events['privacy.changed'].channel.set(status);
        return status;
      },
      'usage.record': () => ({ recorded: isGranted(consent, 'usage') }),
      // No forwarding endpoint on the fake device: an empty outbox, as a fresh headset has.
      'telemetry.outbox': () => sampleOutboxStatus,
      'health.history': ({ limit }) => [events['health.changed'].channel.current()!].filter(Boolean).slice(-(limit ?? 2000)),
      'crashes.list': () => [],
      'logs.write': ({ entries }, context) => {
        if (!entries.some((entry) => entry.crash)) logBudget.admit(context.connection, entries.length, Date.now());
        return { written: entries.length, crashId: null };
      },
      'logs.query': (input) => queryRecords(device.logRecords, input),
      'logs.summary': (input) => summarizeRecords(device.logRecords, input),
      'logs.export': (filter) => {
        if (!device.usbStick) throw new AppError('EXPORT_NO_MEDIUM');
        const q = compileQuery(filter);
        const lines = device.logRecords.filter((r) => q.matches(r)).map((r) => JSON.stringify(r));
        const fileName = `headset-logs-${device.usbStick.length + 1}.jsonl.gz`;
        device.usbStick.push({ fileName, lines });
        return { fileName, bytes: lines.reduce((n, l) => n + l.length + 1, 0), entries: lines.length };
      },
      ...options.overrides,
    },
  };
  return device;
}

export function createFakeRouter(device: FakeDevice, options: { maxInFlight?: number; maxMessageBytes?: number } = {}) {
  const internalErrors: { where: string; error: unknown }[] = [];
  const events: EventSources = device.events;
  const router = new ApiRouter(device.handlers, events, {
    ...options,
    mode: () => device.mode,
    onInternalError: (where, error) => internalErrors.push({ where, error }),
  });
  return { router, internalErrors };
}

export interface Harness {
  device: FakeDevice;
  router: ApiRouter;
  client: ApiClient;
  /** The client's own port, seen raw: send malformed messages, read every host message. */
  raw: MessageLog;
  internalErrors: { where: string; error: unknown }[];
}

export const ALL_SCOPES: readonly Scope[] = ['status', 'user', 'unlocked', 'recovery'];

/** A fake device behind a real router, and a real client, over an in-memory port pair. */
export function connectHarness(
  options: { device?: FakeDevice; scopes?: readonly Scope[]; maxInFlight?: number; maxMessageBytes?: number } = {},
): Harness {
  const device = options.device ?? createFakeDevice();
  const { router, internalErrors } = createFakeRouter(device, options);
  const [hostPort, clientPort] = createMemoryPortPair();
  router.connect(hostPort, { label: 'memory test', scopes: new Set(options.scopes ?? ALL_SCOPES) });
  return { device, router, client: new ApiClient(clientPort), raw: new MessageLog(clientPort), internalErrors };
}

/** Records every host message arriving on a port and lets a test await a particular one. */
export class MessageLog {
  readonly received: HostMessage[] = [];
  private readonly taken = new Set<HostMessage>();
  private readonly waiters: { match: (m: HostMessage) => boolean; resolve: (m: HostMessage) => void }[] = [];

  constructor(private readonly port: Port) {
    port.onMessage((text) => {
      const message = JSON.parse(text) as HostMessage;
      this.received.push(message);
      const waiter = this.waiters.find((w) => w.match(message));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        this.taken.add(message);
        waiter.resolve(message);
      }
    });
  }

  /** Posts `message` as is when it is a string (so it may be any text), else as JSON. */
  send(message: unknown): void {
    this.port.post(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first not yet awaited host message matching `match`, now or when it arrives. */
  next(match: (m: HostMessage) => boolean): Promise<HostMessage> {
    const found = this.received.find((m) => !this.taken.has(m) && match(m));
    if (found) {
      this.taken.add(found);
      return Promise.resolve(found);
    }
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** The next error message about `id` (null: a message whose id could not be read). */
  async nextError(id: number | null): Promise<{ code: ErrorCode; message: string; details?: unknown }> {
    const message = await this.next((m) => m.type === 'error' && m.id === id);
    if (message.type !== 'error') throw new Error('unreachable');
    return message.error;
  }
}

/** The code a call failed with; a call that succeeds is a test failure. */
export async function errorCodeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  throw new Error('Expected the call to fail, but it succeeded.');
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Holds calls inside a handler until released, like a slow service that honours cancellation:
 * each held call rejects as soon as its signal aborts.
 */
export class HeldCalls {
  readonly contexts: CallContext[] = [];
  private readonly release = deferred();
  private readonly arrivals: { count: number; resolve: () => void }[] = [];

  handler<T>(output: T): (input: unknown, context: CallContext) => Promise<T> {
    return async (_input, context) => {
      this.contexts.push(context);
      for (const arrival of this.arrivals.filter((a) => this.contexts.length >= a.count)) arrival.resolve();
      const aborted = new Promise<never>((_, reject) => {
        if (context.signal.aborted) reject(new Error('aborted'));
        context.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
      await Promise.race([this.release.promise, aborted]);
      return output;
    };
  }

  /** Resolves once `count` calls have entered the handler. */
  entered(count: number): Promise<void> {
    if (this.contexts.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.arrivals.push({ count, resolve }));
  }

  releaseAll(): void {
    this.release.resolve();
  }
}

export const sampleOutboxStatus: TelemetryOutboxStatus = {
  queued: { critical: 0, normal: 0, bulk: 0, debug: 0 },
  queuedBytes: 0,
  limitBytes: 16 * 1024 * 1024,
  dropped: 0,
  corruptSkipped: 0,
  delivered: 0,
  lastDeliveryAt: null,
  lastError: null,
  waitingFor: null,
  endpoint: null,
};

export const sampleUpdateStatus: UpdateStatus = {
  state: { status: 'unconfigured' },
  settings: { bandwidthLimitBytesPerSecond: null, allowMetered: false, checkIntervalHours: 6 },
  lastCheck: null,
  current: { slot: 'A', version: '1.0.0' },
  rollbackTo: null,
  keptVersions: [],
};

/** The catalogue code a synchronous check throws, or 'OK' when it passes (anything else is rethrown). */
export function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'OK';
}

/** The catalogue code a promise rejects with (AppError or ApiError), or 'OK' when it resolves. */
export async function settledCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError || error instanceof ApiError) return error.code;
    throw error;
  }
  return 'OK';
}

/** A small log of two boots: GPS locks, an update that failed twice, a warning. */
export function sampleLogRecords(): LogRecord[] {
  const base = Date.UTC(2025, 0, 1, 8, 0, 0);
  const entry = (minute: number, level: LogRecord['level'], subsystem: LogRecord['subsystem'], msg: string, seq: number, bootId: string, fields?: Record<string, unknown>): LogRecord => ({ time: new Date(base + minute * 60_000).toISOString(), level, subsystem, msg, version: '0.1.0', commit: 'abc1234', bootId, seq, ...(fields ? { fields } : {}) });
  return [
    entry(0, 'info', 'system', 'headsetd started: simulated device', 1, 'boot-0'),
    entry(1, 'info', 'gps', 'GPS locked with 7 satellites', 2, 'boot-0', { timeToLockMs: 4100 }),
    entry(30, 'warn', 'update', 'download stalled for 30 s', 3, 'boot-0'),
    entry(60, 'info', 'system', 'headsetd started: simulated device', 1, 'boot-1'),
    entry(61, 'info', 'gps', 'GPS locked with 8 satellites', 2, 'boot-1', { timeToLockMs: 3900 }),
    entry(90, 'error', 'update', 'install failed: SLOT_VERIFY_FAILED', 3, 'boot-1', { slot: 'B' }),
    entry(95, 'error', 'update', 'install failed: SLOT_VERIFY_FAILED', 4, 'boot-1', { slot: 'B' }),
  ];
}
