import type { LockState, LockStatus, PinState } from '../api/contract/lock.js';
import type { Scope } from '../api/contract/common.js';
import { AppError } from '../api/errors.js';
import type { ConnectionRef, ScopeProvider } from '../api/router.js';
import { StateChannel } from '../api/stateChannel.js';
import type { SecretRegistrar, Unregister } from '../secrets/SecretRegistry.js';
import { MIN_SECRET_LENGTH } from '../secrets/SecretRegistry.js';
import { afterFailure, NO_FAILURES, remainingWait, type Attempts } from './backoff.js';
import { checkPinFormat, requireCurrentPin } from './pinRules.js';
import { UnlockSessions } from './UnlockSessions.js';

/** The lock as kept: the PIN's hash and the wrong PINs in a row. */
export interface LockRecord {
  pinHash: string;
  attempts: Attempts;
}

/** Where the lock is kept (headsetd: a file on the data partition; the fake device: memory). */
export interface LockVault {
  /** The record kept; undefined: no PIN; `unreadable`: it exists but cannot be read. */
  read(): Promise<LockRecord | 'unreadable' | undefined>;
  /** Keeps the record durably before resolving; undefined removes it. */
  write(record: LockRecord | undefined): Promise<void>;
}

/** Turns a PIN into what is kept (headsetd: an Argon2id hash) and checks one against it. */
export interface PinHasher {
  hash(pin: string): Promise<string>;
  verify(hash: string, pin: string): Promise<boolean>;
}

/** The few lines the lock logs: never a PIN. */
export interface LockLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface DeviceLockOptions {
  vault: LockVault;
  hasher: PinHasher;
  /** Idle time that ends an unlock session. */
  idleMs: number;
  /** The wall clock (ms since the epoch): the wait after wrong PINs is kept in it across restarts. */
  now?: () => number;
  /** A monotonic clock (ms) for sessions. */
  monotonic?: () => number;
  /** Where a PIN is registered while it is handled, so no output can carry it. */
  secrets?: SecretRegistrar;
  log?: LockLog;
}

const UNLOCKED = 'unlocked' satisfies Scope;

/**
 * The device lock's policy, the same in headsetd and in the fake device: PIN rules, the wait after
 * wrong PINs (kept before each check, so cutting the power mid-check still counts the attempt),
 * unlock sessions per connection, and the `unlocked` scope it grants through the router. Attempts
 * run one at a time. Without a PIN a connection holding `user` is unlocked; an unreadable record
 * keeps everything locked and refuses every change (never read as "no PIN").
 */
export class DeviceLock implements ScopeProvider {
  readonly state = new StateChannel<LockState>();
  private pin: PinState = 'unreadable';
  private record: LockRecord | undefined;
  private readonly sessions: UnlockSessions;
  private readonly now: () => number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DeviceLockOptions) {
    this.now = options.now ?? Date.now;
    this.sessions = new UnlockSessions(options.idleMs, options.monotonic ?? (() => performance.now()));
  }

  async load(): Promise<void> {
    this.restore(await this.options.vault.read());
  }

  /** Takes what the vault holds (load() reads it; the fake device hands it over at once). */
  restore(kept: LockRecord | 'unreadable' | undefined): void {
    if (kept === 'unreadable') {
      this.options.log?.warn('the lock file cannot be read: the headset stays locked until a factory reset');
      this.apply('unreadable', undefined);
    } else this.apply(kept ? 'set' : 'none', kept);
  }

  /** The lock as one connection sees it; `mayUseUnlocked` is whether the router lets it use `unlocked` calls now. */
  status(connection: number, mayUseUnlocked: boolean): LockStatus {
    const state = this.stateNow();
    return {
      ...state,
      unlocked: mayUseUnlocked,
      sessionEndsInMs: this.pin === 'set' ? roundUp(this.sessions.endsIn(connection)) : null,
      idleMinutes: this.sessions.idleMs / 60_000,
      retryAfterMs: this.record ? Math.ceil(remainingWait(this.record.attempts, this.now())) : 0,
    };
  }

  /** Sets a PIN where none is set; the connection that set it is unlocked. */
  set(connection: number, pin: string): Promise<void> {
    return this.serially([pin], async () => {
      this.assertReadable();
      if (this.pin === 'set') throw new AppError('LOCK_PIN_ALREADY_SET');
      checkPinFormat(pin);
      const record = { pinHash: await this.options.hasher.hash(pin), attempts: NO_FAILURES };
      await this.options.vault.write(record);
      this.apply('set', record);
      this.sessions.endAll();
      this.sessions.open(connection);
      this.options.log?.info('set a new PIN', { connection });
    });
  }

  unlock(connection: number, pin: string): Promise<void> {
    return this.serially([pin], async () => {
      await this.verify(pin);
      this.sessions.open(connection);
      this.options.log?.info('unlocked', { connection, idleMinutes: this.sessions.idleMs / 60_000 });
    });
  }

  /** Ends the connection's session now. */
  lock(connection: number): void {
    this.sessions.end(connection);
  }

  /** Replaces the PIN, given the current one; the other connections' sessions end. */
  change(connection: number, oldPin: string | undefined, newPin: string): Promise<void> {
    return this.serially([oldPin, newPin], async () => {
      const current = requireCurrentPin(oldPin);
      this.assertPinSet();
      checkPinFormat(newPin);
      await this.verify(current);
      const record = { pinHash: await this.options.hasher.hash(newPin), attempts: NO_FAILURES };
      await this.options.vault.write(record);
      this.apply('set', record);
      this.sessions.endAll(connection);
      this.sessions.open(connection);
      this.options.log?.info('changed the PIN', { connection });
    });
  }

  /** Removes the PIN, given it: every local UI is unlocked from then on. */
  remove(connection: number, pin: string | undefined): Promise<void> {
    return this.serially([pin], async () => {
      const current = requireCurrentPin(pin);
      await this.verify(current);
      await this.options.vault.write(undefined);
      this.apply('none', undefined);
      this.sessions.endAll();
      this.options.log?.info('removed the PIN', { connection });
    });
  }

  // ---- ScopeProvider: the router asks for `unlocked` ---------------------------------------

  grants(connection: ConnectionRef, scope: Scope): boolean {
    if (scope !== UNLOCKED) return false;
    if (this.pin === 'none') return connection.scopes.has('user');
    return this.pin === 'set' && this.sessions.alive(connection.id);
  }

  used(connection: ConnectionRef): void {
    this.sessions.touch(connection.id);
  }

  closed(connection: ConnectionRef): void {
    this.sessions.end(connection.id);
  }

  /** Unlock sessions alive now. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  // ---- internals ---------------------------------------------------------------------------

  /**
   * Checks the PIN against the one kept. The attempt is counted, and kept, before the check: a
   * process killed during the (slow) hash still has it counted. The right PIN clears the count.
   */
  private async verify(pin: string): Promise<void> {
    const record = this.assertPinSet();
    checkPinFormat(pin);
    const now = this.now();
    const wait = remainingWait(record.attempts, now);
    if (wait > 0) throw new AppError('LOCK_BACKING_OFF', undefined, { retryAfterMs: Math.ceil(wait), failures: record.attempts.failures });
    const counted: LockRecord = { ...record, attempts: afterFailure(record.attempts, now) };
    await this.options.vault.write(counted);
    this.apply('set', counted);
    if (await this.options.hasher.verify(counted.pinHash, pin)) {
      const cleared = { ...counted, attempts: NO_FAILURES };
      await this.options.vault.write(cleared);
      this.apply('set', cleared);
      return;
    }
    const retryAfterMs = Math.ceil(remainingWait(counted.attempts, this.now()));
    this.options.log?.warn('wrong PIN', { failures: counted.attempts.failures, retryAfterMs });
    throw new AppError('LOCK_WRONG_PIN', undefined, { failures: counted.attempts.failures, retryAfterMs });
  }

  private assertReadable(): void {
    if (this.pin === 'unreadable') throw new AppError('LOCK_FILE_CORRUPT');
  }

  private assertPinSet(): LockRecord {
    this.assertReadable();
    if (this.pin === 'none' || !this.record) throw new AppError('LOCK_NO_PIN');
    return this.record;
  }

  /** Runs one PIN operation after the ones before it, with its PINs registered as secrets meanwhile. */
  private serially(pins: (string | undefined)[], operation: () => Promise<void>): Promise<void> {
    const unregisters = this.registerPins(pins);
    const run = this.queue.then(operation);
    this.queue = run.catch(() => undefined);
    return run.finally(() => {
      for (const unregister of unregisters) unregister();
    });
  }

  /** A value too short for the registry is no PIN: it is refused before anything could print it. */
  private registerPins(pins: (string | undefined)[]): Unregister[] {
    const secrets = this.options.secrets;
    if (!secrets) return [];
    return pins.filter((pin): pin is string => pin !== undefined && pin.length >= MIN_SECRET_LENGTH).map((pin) => secrets.register(pin, 'PIN'));
  }

  private apply(pin: PinState, record: LockRecord | undefined): void {
    this.pin = pin;
    this.record = record;
    this.state.set(this.stateNow());
  }

  private stateNow(): LockState {
    const attempts = this.record?.attempts ?? NO_FAILURES;
    const now = this.now();
    const wait = remainingWait(attempts, now);
    return { pin: this.pin, failures: attempts.failures, waitUntil: wait > 0 ? new Date(now + wait).toISOString() : null };
  }
}

function roundUp(ms: number | null): number | null {
  return ms === null ? null : Math.ceil(ms);
}
