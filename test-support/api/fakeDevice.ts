import { AlertBoard } from '../../src/alerts/AlertBoard.js';
import { DEFAULT_ALERT_THRESHOLDS } from '../../src/alerts/thresholds.js';
import type {
  BackupOverview,
  AlertsState,
  BootStatus,
  CallHandlers,
  HealthSnapshot,
  LockState,
  Mode,
  ModeState,
  NetworkStatus,
  PrivacyStatus,
  RegistrationStatus,
  StateSource,
  SupportStatus,
  UpdateStatus,
} from '../../src/api/contract.js';
import { AppError } from '../../src/api/errors.js';
import { StateChannel } from '../../src/api/stateChannel.js';
import { compileQuery } from '../../src/logging/logQuery.js';
import type { LogRecord } from '../../src/logging/logRecord.js';
import { LogWriteBudget } from '../../src/logging/logWriteBudget.js';
import { DeviceLock, type LockRecord } from '../../src/lock/DeviceLock.js';
import { lockHandlers } from '../../src/lock/lockHandlers.js';
import type { ResetState } from '../../src/api/contract/reset.js';
import { resetHandlers } from '../../src/reset/resetHandlers.js';
import { createFakeReset } from './fakeReset.js';
import type { RecoveryInstallState } from '../../src/api/contract/recovery.js';
import { createFakeRecovery } from './fakeRecovery.js';
import { createFakeLicense } from './fakeLicense.js';
import { createFakeTracks } from './fakeTracks.js';
import type { TracksStatus } from '../../src/api/contract/tracks.js';
import type { LicenseStatus } from '../../src/api/contract/license.js';
import type { NetworkOverview } from '../../src/api/contract/network.js';
import { networkHandlers } from '../../src/network/networkHandlers.js';
import { createMemoryNetwork, type MemoryNetworkOptions } from '../network/memoryNetwork.js';
import { decide, initialConsent, isGranted, privacyStatusOf } from '../../src/telemetry/consent.js';
import { queryRecords, summarizeRecords } from './fakeDeviceLogs.js';
import { createFakeBackup, type FakeBackupOptions } from './fakeBackup.js';
import type { SetupProgress } from '../../src/api/contract/setup.js';
import type { WearerProfile } from '../../src/api/contract/profile.js';
import { applySetupChange, FRESH_SETUP } from '../../src/setup/setupProgress.js';
import { createFakeSupport, type FakeSupportOptions } from './fakeSupport.js';
import { MemoryLockVault, testPinHasher } from './memoryLockVault.js';
import { sampleBoot, sampleHealth, sampleIdentity, sampleInfo, sampleLogRecords, sampleOutboxStatus, sampleUpdateStatus } from './samples.js';

// A test double of the services only: the router, client and transports it is put behind stay
// real (harness.ts). Pure, as all of test-support/api/: no node:*, so any test may use it.

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
  /** false: the profile has no power control, so the restart and power-off calls raise NOT_SUPPORTED. */
  canRestart: boolean;
  /** The entries the fake headset's log holds (logs.query and logs.summary read them). */
  logRecords: LogRecord[];
  /** Files exported to the USB stick; undefined: no stick is plugged in (logs.export fails). */
  usbStick: { fileName: string; lines: string[] }[] | undefined;
  handlers: CallHandlers;
  /** The device lock: the real policy (src/lock/) over a record in memory; the router asks it for `unlocked`. */
  lock: DeviceLock;
  lockVault: MemoryLockVault;
  /** Backup: plug the stick in or out (`setStick`). */
  backup: ReturnType<typeof createFakeBackup>;
  /** The reset: the real calls over a wipe in memory; `reset.finish()` ends the one under way. */
  reset: ReturnType<typeof createFakeReset>;
  /** Recovery installs: `recovery.world` is the repository, the stick and what the fake verifier refuses. */
  recovery: ReturnType<typeof createFakeRecovery>;
  /** The licence: `license.world` is the clock, the stick's licence files and the revocation list served. */
  license: ReturnType<typeof createFakeLicense>;
  /** Tracks and sessions: one session on a learned Kestrel Ring, in memory. */
  tracks: ReturnType<typeof createFakeTracks>;
  /** The network: the real policy (src/network/) over the simulated NetworkManager's rules in memory; `network.world` is its air, profiles, cable and latch. */
  network: ReturnType<typeof createMemoryNetwork>;
  events: {
    'health.changed': CountedSource<HealthSnapshot>;
    'boot.changed': CountedSource<BootStatus>;
    'mode.changed': CountedSource<ModeState>;
    'setup.changed': CountedSource<SetupProgress>;
    'profile.changed': CountedSource<WearerProfile>;
    'update.changed': CountedSource<UpdateStatus>;
    'privacy.changed': CountedSource<PrivacyStatus>;
    'alerts.changed': CountedSource<AlertsState>;
    'lock.changed': CountedSource<LockState>;
    'reset.changed': CountedSource<ResetState>;
    'recovery.installChanged': CountedSource<RecoveryInstallState>;
    'support.changed': CountedSource<SupportStatus>;
    'backup.changed': CountedSource<BackupOverview>;
    'network.changed': CountedSource<NetworkStatus>;
    'registration.changed': CountedSource<RegistrationStatus>;
    'license.changed': CountedSource<LicenseStatus>;
    'tracks.changed': CountedSource<TracksStatus>;
    'network.overviewChanged': CountedSource<NetworkOverview>;
  };
}

export interface FakeLockOptions {
  /** A PIN set from the start (kept as the fake's stand-in hash). */
  pin?: string;
  /** The lock record cannot be read (a corrupt lock file). */
  unreadable?: boolean;
  /** Idle time that ends an unlock session (default 5 minutes). */
  idleMs?: number;
  /** The clocks (default: the real ones): wall for the wait after wrong PINs, monotonic for sessions. */
  now?: () => number;
  monotonic?: () => number;
}

/** A headset no fleet server manages (none is configured). */
const UNMANAGED: RegistrationStatus = {
  state: 'unmanaged',
  serverUrl: null,
  serverName: null,
  accepted: false,
  groupTags: [],
  lastCheckInAt: null,
  nextAttemptAt: null,
  problem: null,
};

/** A test double of the services behind the router; `overrides` replace single handlers. */
export function createFakeDevice(
  options: {
    mode?: Mode;
    overrides?: Partial<CallHandlers>;
    health?: HealthSnapshot | null;
    lock?: FakeLockOptions;
    support?: FakeSupportOptions;
    backup?: FakeBackupOptions;
    network?: MemoryNetworkOptions;
    registration?: RegistrationStatus;
  } = {},
): FakeDevice {
  const mode = options.mode ?? 'settings';
  // health: null is a service that has not taken its first sample yet.
  const health = options.health === null ? new StateChannel<HealthSnapshot>() : new StateChannel(options.health ?? sampleHealth());
  const lockOptions = options.lock ?? {};
  const initialRecord: LockRecord | undefined = lockOptions.pin
    ? { pinHash: `test$${lockOptions.pin}`, attempts: { failures: 0, waitUntil: 0 } }
    : undefined;
  const lockVault = new MemoryLockVault(lockOptions.unreadable ? 'unreadable' : initialRecord);
  const lock = new DeviceLock({
    vault: lockVault,
    hasher: testPinHasher,
    idleMs: lockOptions.idleMs ?? 5 * 60_000,
    now: lockOptions.now,
    monotonic: lockOptions.monotonic,
  });
  lock.restore(lockVault.kept);
  const reset = createFakeReset();
  const recovery = createFakeRecovery();
  const license = createFakeLicense();
  const tracks = createFakeTracks();
  const support = createFakeSupport(options.support);
  const backup = createFakeBackup(options.backup);
  const events = {
    'health.changed': counted(health),
    'boot.changed': counted(new StateChannel(sampleBoot)),
    'mode.changed': counted(new StateChannel<ModeState>({ mode, reason: 'default', setupComplete: mode !== 'setup' })),
    'setup.changed': counted(new StateChannel<SetupProgress>(FRESH_SETUP)),
    'profile.changed': counted(new StateChannel<WearerProfile>({ wearerName: null, locale: null })),
    'update.changed': counted(new StateChannel<UpdateStatus>(sampleUpdateStatus)),
    'privacy.changed': counted(new StateChannel<PrivacyStatus>(privacyStatusOf(initialConsent()))),
    'alerts.changed': counted(new StateChannel<AlertsState>({ alerts: [] })),
    'lock.changed': counted(lock.state),
    'reset.changed': counted(reset.channel),
    'recovery.installChanged': counted(recovery.installs.state),
    'support.changed': counted(support.channel),
    'backup.changed': counted(backup.channel),
    'network.changed': counted(new StateChannel<NetworkStatus>({ state: 'online', since: new Date(0).toISOString() })),
    'registration.changed': counted(new StateChannel<RegistrationStatus>(options.registration ?? UNMANAGED)),
    'license.changed': counted(license.channel),
    'tracks.changed': counted(tracks.channel),
  };
  const network = createMemoryNetwork(events['network.changed'].channel, options.network);
  // The latch is read as at boot; the overview is there from the start.
  void network.provisioner.start();
  // Alerts are the real rules (src/alerts/) over the fake's own health, update and boot states.
  const alertBoard = new AlertBoard(DEFAULT_ALERT_THRESHOLDS);
  const evaluateAlerts = () => {
    const facts = {
      health: events['health.changed'].channel.current(),
      update: events['update.changed'].channel.current(),
      boot: events['boot.changed'].channel.current(),
      crashes: [],
    };
    if (alertBoard.update(facts, new Date()).changed) events['alerts.changed'].channel.set(alertBoard.state());
  };
  for (const source of [events['health.changed'], events['update.changed'], events['boot.changed']]) source.channel.subscribe(evaluateAlerts);
  evaluateAlerts();
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
    lock,
    lockVault,
    backup,
    reset,
    recovery,
    license,
    tracks,
    network,
    events: { ...events, 'network.overviewChanged': counted(network.provisioner.overview) },
    handlers: {
      ...lockHandlers(lock),
      ...resetHandlers(reset.port, lock),
      ...recovery.handlers,
      ...license.handlers,
      ...tracks.handlers,
      ...support.handlers,
      ...backup.handlers,
      'system.ping': ({ payload }) => ({ payload }),
      'system.info': () => sampleInfo,
      'identity.get': () => sampleIdentity,
      'boot.status': () => events['boot.changed'].channel.current()!,
      'health.snapshot': () => events['health.changed'].channel.current()!,
      'mode.get': () => events['mode.changed'].channel.current()!,
      'setup.progress': () => events['setup.changed'].channel.current()!,
      'setup.save': (input) => {
        const next = applySetupChange(events['setup.changed'].channel.current()!, input, new Date());
        events['setup.changed'].channel.set(next);
        return next;
      },
      'profile.get': () => events['profile.changed'].channel.current()!,
      'profile.set': (input) => {
        const before = events['profile.changed'].channel.current()!;
        const name = input.wearerName === undefined ? before.wearerName : input.wearerName?.trim() || null;
        const next: WearerProfile = { wearerName: name, locale: input.locale === undefined ? before.locale : input.locale };
        events['profile.changed'].channel.set(next);
        return next;
      },
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
      'mode.restartIntoRecovery': () => {
        if (!device.canRestart) throw new AppError('NOT_SUPPORTED', 'This device profile cannot restart itself.');
        return { restarting: true as const };
      },
      'recovery.restart': () => {
        if (!device.canRestart) throw new AppError('NOT_SUPPORTED', 'This device profile cannot restart itself.');
        return { restarting: true as const };
      },
      // The fake headset never goes off: it says it would, where its profile has power control.
      'system.powerOff': () => {
        if (!device.canRestart) throw new AppError('NOT_SUPPORTED', 'This device profile cannot switch itself off.');
        return { poweringOff: true as const };
      },
      'recovery.powerOff': () => {
        if (!device.canRestart) throw new AppError('NOT_SUPPORTED', 'This device profile cannot switch itself off.');
        return { poweringOff: true as const };
      },
      'network.status': () => events['network.changed'].channel.current()!,
      ...networkHandlers(network.provisioner),
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
      'alerts.list': () => alertBoard.state(),
      'registration.status': () => events['registration.changed'].channel.current()!,
      'registration.checkNow': () => {
        const registration = events['registration.changed'].channel.current()!;
        if (registration.state === 'unmanaged') throw new AppError('REGISTRATION_NOT_CONFIGURED');
        return registration;
      },
      'alerts.thresholds': () => DEFAULT_ALERT_THRESHOLDS,
      'alerts.dismiss': ({ id }) => {
        if (alertBoard.dismiss(id)) events['alerts.changed'].channel.set(alertBoard.state());
        return alertBoard.state();
      },
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
